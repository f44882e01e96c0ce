"""What the Python checks share: stubs generated from the repository's .proto files (in a
temporary folder removed at exit), and reading a refusal's code and fields."""

import atexit
import pathlib
import shutil
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parents[2]
_out = pathlib.Path(tempfile.mkdtemp())
atexit.register(shutil.rmtree, _out, True)
subprocess.run(
    [sys.executable, "-m", "grpc_tools.protoc", f"-I{root / 'proto'}", f"--python_out={_out}", f"--grpc_python_out={_out}",
     *[str(p.relative_to(root / "proto")) for p in (root / "proto").rglob("*.proto")]],
    check=True,
)
sys.path.insert(0, str(_out))

import grpc  # noqa: E402
from google.rpc import error_details_pb2  # noqa: E402
from grpc_status import rpc_status  # noqa: E402


def fields_of(error):
    """The fields a refusal's `google.rpc.BadRequest` detail names."""
    named = []
    for detail in rpc_status.from_call(error).details:
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            named += [f.field for f in bad_request.field_violations]
    return named


def refused(call, code):
    """Calls `call`, which must be refused with `code`; the refusal."""
    try:
        call()
    except grpc.RpcError as error:
        assert error.code() == code, (error.code(), error.details())
        return error
    raise SystemExit(f"accepted where {code} was due")
