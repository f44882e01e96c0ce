"""An independent client of the visitation API, in Python grpcio with stubs generated from the
same .proto files: registers a provider and a citizen, decides a DEVELOPING course and checks
what the tariff derived, then checks that bad input names its field and that a retry with the
same request id returns the first answer. Then the provider's system, with its own token, lists
its orders (with the citizen's CPR number), follows them from a sequence as the grant is
revisited, and acknowledges one.

    pip install grpcio grpcio-tools grpcio-status
    python3 tests/python/check_visitation.py 127.0.0.1:50051 [ehr-token [provider-token]]

The provider token must belong to `provider:prv_py_nord`; without one (a service without
tokens, every caller `local`) the orders calls name the provider instead.
"""

import sys

from afregning_stubs import fields_of

import grpc  # noqa: E402
from afregning.common.v1 import common_pb2 as c  # noqa: E402
from afregning.visitation.v1 import visitation_pb2 as v, visitation_pb2_grpc as vg  # noqa: E402

address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051"
metadata = [("authorization", f"Bearer {sys.argv[2]}")] if len(sys.argv) > 2 else []
provider_metadata = [("authorization", f"Bearer {sys.argv[3]}")] if len(sys.argv) > 3 else metadata
stub = vg.VisitationServiceStub(grpc.insecure_channel(address))
run = __import__("uuid").uuid4().hex[:8]

# With a provider token the provider is registered under the id its token names (once: a rerun
# against the same service finds it registered); without one, under a new id of its own.
chosen_id = "prv_py_nord" if len(sys.argv) > 3 else f"prv_py_{run}"
try:
    provider = stub.RegisterProvider(
        v.RegisterProviderRequest(request_id=f"py-prov-{run}", cvr="29189668", name="Hjemmeplejen Nord",
                                  kind=c.PROVIDER_KIND_MUNICIPAL, committee="SOCIAL", approved_for=["course:DEVELOPING"],
                                  provider_id=chosen_id),
        metadata=metadata)
except grpc.RpcError as error:
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS, error
    provider = stub.GetProvider(v.GetProviderRequest(provider_id=chosen_id), metadata=metadata)
assert provider.provider_id == chosen_id, provider
citizen = stub.RegisterCitizen(v.RegisterCitizenRequest(request_id=f"py-cit-{run}", cpr="0101401234"), metadata=metadata)
request = v.DecideGrantRequest(
    request_id=f"py-grant-{run}", citizen_id=citizen.citizen_id,
    terms=v.GrantTerms(unit_kind=c.UNIT_KIND_COURSE, legal_basis="SEL-83a", intervention="hverdagsrehabilitering",
                       visited_minutes_per_week=640, course_type=c.COURSE_TYPE_DEVELOPING,
                       providers=[c.ProviderShare(provider_id=provider.provider_id, share_percent=100, lead=True)]),
    start=c.Date(year=2026, month=3, day=16))
grant = stub.DecideGrant(request, metadata=metadata)
assert grant.course.level == 3, grant.course
assert (grant.course.follow_up_on.month, grant.course.follow_up_on.day) == (6, 7), grant.course.follow_up_on
assert grant.expected_weekly_cost_ore == 590_000, grant.expected_weekly_cost_ore
assert stub.DecideGrant(request, metadata=metadata) == grant, "a retry returns the first answer"

bad = v.DecideGrantRequest()
bad.CopyFrom(request)
bad.request_id = f"py-bad-{run}"
bad.terms.visited_minutes_per_week = 20_000
try:
    stub.DecideGrant(bad, metadata=metadata)
    raise SystemExit("absurd minutes were accepted")
except grpc.RpcError as error:
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.code()
    fields = fields_of(error)
    assert "terms.visited_minutes_per_week" in fields, fields

# Progression at 30 June: assessed on 10 March and 5 June, mobility 3 → 1, the course improved it.
for day, score in ((c.Date(year=2026, month=3, day=10), 3), (c.Date(year=2026, month=6, day=5), 1)):
    stub.RecordAssessment(v.RecordAssessmentRequest(
        request_id=f"py-asm-{run}-{score}", citizen_id=citizen.citizen_id, assessed_on=day, assessor="AK",
        scores=[v.FunctionScore(area="mobility", score=score)]), metadata=metadata)
rows = [r for r in stub.GetProgression(v.GetProgressionRequest(as_of=c.Date(year=2026, month=6, day=30)),
                                       metadata=metadata).rows if r.provider_id == provider.provider_id]
assert [(r.course_type, r.courses, r.improved, r.courses_ended) for r in rows] == [(c.COURSE_TYPE_DEVELOPING, 1, 1, 1)], rows
assert rows[0].during_minutes_per_week == 640, rows[0]

# The provider's system: its orders, with its own token only. A provider's token speaks for its
# own provider; a `local` caller names it.
named = "" if len(sys.argv) > 3 else provider.provider_id
orders = stub.ListOrders(v.ListOrdersRequest(provider_id=named, cpr="0101401234"), metadata=provider_metadata).orders
ours = [o for o in orders if o.grant_id == grant.grant_id]
assert [(o.change, o.grant_version, o.citizen_cpr) for o in ours] == [(v.ORDER_CHANGE_DECIDED, 1, "0101401234")], ours
order = ours[0]
assert (order.unit_kind, order.course.level, order.visited_minutes_per_week) == (c.UNIT_KIND_COURSE, 3, 640), order
assert (order.course.follow_up_on.month, order.course.follow_up_on.day, order.share_percent, order.lead) == (6, 7, 100, True)

# Following from the decision's order on: the revisit at follow-up arrives as the next order.
stub.RevisitGrant(v.RevisitGrantRequest(
    request_id=f"py-rev-{run}", grant_id=grant.grant_id, expected_version=1,
    effective_from=c.Date(year=2026, month=6, day=8), visited_minutes_per_week=420), metadata=metadata)
followed = stub.StreamOrders(v.StreamOrdersRequest(provider_id=named, after_sequence=order.sequence, follow=True),
                             metadata=provider_metadata, timeout=10)
revisited = next(followed)
followed.cancel()
assert (revisited.change, revisited.grant_id, revisited.grant_version) == (v.ORDER_CHANGE_REVISITED, grant.grant_id, 2), revisited
assert revisited.sequence > order.sequence and revisited.visited_minutes_per_week == 420, revisited

# Acknowledging is idempotent: a second acknowledgement answers with the first.
ack = stub.AcknowledgeOrder(v.AcknowledgeOrderRequest(request_id=f"py-ack-{run}", sequence=order.sequence, provider_id=named),
                            metadata=provider_metadata)
again = stub.AcknowledgeOrder(v.AcknowledgeOrderRequest(request_id=f"py-ack2-{run}", sequence=order.sequence, provider_id=named),
                              metadata=provider_metadata)
assert again.acknowledged_at == ack.acknowledged_at, (ack, again)
open_orders = stub.ListOrders(v.ListOrdersRequest(provider_id=named, unacknowledged_only=True), metadata=provider_metadata).orders
assert order.sequence not in [o.sequence for o in open_orders] and revisited.sequence in [o.sequence for o in open_orders]

ore = grant.expected_weekly_cost_ore
print(f"visitation at {address}: level {grant.course.level}, {ore // 100}.{ore % 100:02d} kr/week, "
      f"field violations {fields}, progression {rows[0].improved} improved, orders {order.sequence} and "
      f"{revisited.sequence} followed by {ack.acknowledged_by or 'local'}: all checks hold")
