#!/usr/bin/env python3
"""Calls one RPC of a running Afregning service from the command line, with JSON in and out.

It takes grpcurl's arguments, so examples read the same with either tool, and needs only
`pip install grpcio grpcio-reflection`: the service describes its own API through gRPC
reflection, so no .proto file is needed here.

    python3 scripts/call.py -plaintext 127.0.0.1:50051 list
    python3 scripts/call.py -plaintext -d '{"cpr":"0101401234","request_id":"r2"}' \\
        127.0.0.1:50051 afregning.visitation.v1.VisitationService/RegisterCitizen
    python3 scripts/call.py -H 'authorization: Bearer …' -plaintext -d @ 127.0.0.1:50052 …  # JSON on stdin

A server-streaming RPC prints each message as it arrives. An error prints its gRPC code and
message (and the fields named in its details) on stderr and exits 1.
"""

import argparse
import json
import sys

import grpc
from google.protobuf import descriptor_pool, json_format, message_factory
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="scripts/call.py",
        description="Call an Afregning RPC with JSON (grpcurl's arguments).",
    )
    parser.add_argument("-plaintext", action="store_true", help="no TLS (loopback development)")
    parser.add_argument("-d", dest="data", default="{}", help="the request as JSON; @ reads stdin")
    parser.add_argument("-H", dest="headers", action="append", default=[], help="'name: value' metadata")
    parser.add_argument("-max-time", dest="max_time", type=float, default=None, help="deadline in seconds")
    parser.add_argument("address", help="host:port of the service")
    parser.add_argument("method", help="package.Service/Method, or `list`")
    return parser.parse_args(argv)


def channel_for(args):
    if args.plaintext:
        return grpc.insecure_channel(args.address)
    return grpc.secure_channel(args.address, grpc.ssl_channel_credentials())


def metadata_for(args):
    metadata = []
    for header in args.headers:
        name, sep, value = header.partition(":")
        if not sep:
            sys.exit(f"-H {header!r}: expected 'name: value'")
        metadata.append((name.strip().lower(), value.strip()))
    return metadata


def call(args):
    channel = channel_for(args)
    reflection = ProtoReflectionDescriptorDatabase(channel)
    if args.method == "list":
        for service in reflection.get_services():
            print(service)
        return 0
    service_name, sep, method_name = args.method.rpartition("/")
    if not sep:
        service_name, _, method_name = args.method.rpartition(".")
    pool = descriptor_pool.DescriptorPool(reflection)
    method = pool.FindServiceByName(service_name).FindMethodByName(method_name)
    request_type = message_factory.GetMessageClass(method.input_type)
    response_type = message_factory.GetMessageClass(method.output_type)
    data = sys.stdin.read() if args.data == "@" else args.data
    request = json_format.Parse(data, request_type())
    path = f"/{service_name}/{method_name}"
    serialize, deserialize = request_type.SerializeToString, response_type.FromString
    if method.client_streaming:
        sys.exit(f"{args.method} takes a stream of requests; use the CLI or a gRPC client library")
    options = {"metadata": metadata_for(args), "timeout": args.max_time}
    if method.server_streaming:
        answers = channel.unary_stream(path, serialize, deserialize)(request, **options)
    else:
        answers = [channel.unary_unary(path, serialize, deserialize)(request, **options)]
    for answer in answers:
        print(json_format.MessageToJson(answer, preserving_proto_field_name=True, indent=2))
    return 0


def field_violations(error):
    """The fields a `google.rpc.BadRequest` detail names (needs grpcio-status; none without it)."""
    try:
        from google.rpc import error_details_pb2
        from grpc_status import rpc_status
    except ImportError:
        return []
    status = rpc_status.from_call(error)
    violations = []
    for detail in status.details if status else []:
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            violations += [(v.field, v.description) for v in bad_request.field_violations]
    return violations


def main(argv):
    args = parse_args(argv)
    try:
        return call(args)
    except grpc.RpcError as error:
        print(f"ERROR:\n  Code: {error.code().name}\n  Message: {error.details()}", file=sys.stderr)
        for field, description in field_violations(error):
            print(f"  Field: {field}: {description}", file=sys.stderr)
        return 1
    except (json_format.ParseError, KeyError) as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
