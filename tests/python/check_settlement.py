"""An independent client of the settlement API, in Python grpcio with stubs generated from the
same .proto files, against real visitation and settlement processes, each caller with its own
token. The EHR decides a week of personal care (300 visited minutes); the provider's system
delivers 500 minutes, a retry of its report answering as the first; settlement follows
visitation's feed. The operator settles April and issues the statement: delivery control pays
330 minutes (300 + 10 %) at 475.00 kr/h = 2,612.50 kr. and shows the other 170 on a 0-kr. line.
The provider accepts it. The authority builds April's review list (the grant deviates +200
minutes), records a recovery of 500.00 kr. once (a different outcome racing it is
ALREADY_EXISTS, a bad threshold INVALID_ARGUMENT naming its field), and May's statement pays
it back on a recovery line for April.

    pip install grpcio grpcio-tools grpcio-status
    python3 tests/python/check_settlement.py VISITATION SETTLEMENT EHR_TOKEN PROVIDER_TOKEN OPERATOR_TOKEN

The provider token must belong to `provider:prv_py_syd`; settlement must follow VISITATION.
"""

import datetime
import sys
import time
import uuid

from afregning_stubs import fields_of, refused

import grpc  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402
from afregning.common.v1 import common_pb2 as c  # noqa: E402
from afregning.settlement.v1 import settlement_pb2 as s, settlement_pb2_grpc as sg  # noqa: E402
from afregning.visitation.v1 import visitation_pb2 as v, visitation_pb2_grpc as vg  # noqa: E402

visitation_address, settlement_address, ehr_token, provider_token, operator_token = sys.argv[1:6]
ehr = [("authorization", f"Bearer {ehr_token}")]
provider = [("authorization", f"Bearer {provider_token}")]
operator = [("authorization", f"Bearer {operator_token}")]
visitation = vg.VisitationServiceStub(grpc.insecure_channel(visitation_address))
settlement = sg.SettlementServiceStub(grpc.insecure_channel(settlement_address))
PROVIDER = "prv_py_syd"
APRIL, MAY = c.Period(year=2026, month=4), c.Period(year=2026, month=5)
run = uuid.uuid4().hex[:8]


# The authority: the provider (under the id its token names), the citizen and the grant.
visitation.RegisterProvider(
    v.RegisterProviderRequest(request_id=f"py-s-prov-{run}", cvr="31415926", name="Hjemmeplejen Syd", kind=c.PROVIDER_KIND_PRIVATE,
                              committee="SOCIAL", approved_for=["personal_care"], provider_id=PROVIDER),
    metadata=ehr)
citizen = visitation.RegisterCitizen(v.RegisterCitizenRequest(request_id=f"py-s-cit-{run}", cpr="0202421234"), metadata=ehr)
grant = visitation.DecideGrant(v.DecideGrantRequest(
    request_id=f"py-s-grant-{run}", citizen_id=citizen.citizen_id,
    terms=v.GrantTerms(unit_kind=c.UNIT_KIND_SERVICE, legal_basis="SEL-83", intervention="personlig-pleje",
                       visited_minutes_per_week=300, service_category="personal_care",
                       providers=[c.ProviderShare(provider_id=PROVIDER, share_percent=100, lead=True)]),
    start=c.Date(year=2026, month=4, day=13), end=c.Date(year=2026, month=4, day=19),
    decided_on=c.Date(year=2026, month=4, day=13)), metadata=ehr)

# The provider's system: 100 minutes at 08:00 Danish summer time, Monday 13 – Friday 17 April.
visits = []
for day in range(13, 18):
    started = timestamp_pb2.Timestamp()
    started.FromDatetime(datetime.datetime(2026, 4, day, 6, 0, tzinfo=datetime.timezone.utc))
    visits.append(s.Delivery(delivery_id=f"py-lev-{day}", grant_id=grant.grant_id, provider_id=PROVIDER,
                             carer_visit_id=f"py-cv-{day}", started_at=started, minutes=100))


def report(request_id):
    return settlement.ReportDeliveries(iter([s.ReportDeliveriesRequest(request_id=request_id, deliveries=visits)]),
                                       metadata=provider)


# Settlement learns of the grant from visitation's feed: until then each record is refused.
deadline = time.monotonic() + 30
attempt = 0
while True:
    attempt += 1
    answer = report(f"py-s-report-{attempt}-{run}")
    if answer.accepted == 5 or time.monotonic() > deadline:
        break
    time.sleep(0.2)
assert (answer.accepted, answer.duplicates, list(answer.errors)) == (5, 0, []), answer
assert report(f"py-s-report-{attempt}-{run}") == answer, "a retry of the report answers as the first"
assert report("py-s-report-again").duplicates == 5, "the same records sent again are duplicates"

# The operator settles April and issues the provider's statement.
progress = list(settlement.RunSettlement(s.RunSettlementRequest(request_id=f"py-s-run-april-{run}", period=APRIL), metadata=operator))
assert progress[-1].state == s.RUN_STATE_COMPLETED, progress[-1]
drafts = settlement.ListStatements(s.ListStatementsRequest(provider_id=PROVIDER, period=APRIL), metadata=operator).statements
assert [d.state for d in drafts] == [s.STATEMENT_STATE_DRAFT], drafts
issued = settlement.IssueStatement(s.IssueStatementRequest(request_id=f"py-s-issue-{run}", statement_id=drafts[0].statement_id),
                                   metadata=operator)
assert issued.state == s.STATEMENT_STATE_ISSUED and issued.total_ore == 261_250, issued
assert (issued.due_on.year, issued.due_on.month) != (0, 0), issued.due_on

# The provider reads its lines: 330 minutes paid, 170 over the cap at 0.00 kr.
lines = list(settlement.StreamStatementLines(s.StreamStatementLinesRequest(statement_id=issued.statement_id), metadata=provider))
paid = [(line.explanation.quantity, line.amount_ore) for line in lines if line.grant_id == grant.grant_id]
assert sorted(paid) == [(170, 0), (330, 261_250)], paid
assert all(line.cpr == "0202421234" for line in lines), "the provider sees its citizen's CPR"
accepted = settlement.AcceptStatement(s.AcceptStatementRequest(request_id=f"py-s-accept-{run}", statement_id=issued.statement_id),
                                      metadata=provider)
assert accepted.answer == s.STATEMENT_ANSWER_ACCEPTED, accepted
again = settlement.AcceptStatement(s.AcceptStatementRequest(request_id=f"py-s-accept-{run}", statement_id=issued.statement_id),
                                   metadata=provider)
assert again.answered_at == accepted.answered_at, "a retry answers as the first"

# The authority's review of April: the grant delivered 200 minutes over its 300 visited.
error = refused(lambda: settlement.BuildReviewList(
    s.BuildReviewListRequest(request_id=f"py-s-review-bad-{run}", period=APRIL, threshold_percent=5000), metadata=ehr),
    grpc.StatusCode.INVALID_ARGUMENT)
assert "threshold_percent" in fields_of(error), fields_of(error)
refused(lambda: settlement.BuildReviewList(s.BuildReviewListRequest(request_id=f"py-s-review-p-{run}", period=APRIL), metadata=provider),
        grpc.StatusCode.PERMISSION_DENIED)
review = settlement.BuildReviewList(s.BuildReviewListRequest(request_id=f"py-s-review-{run}", period=APRIL, seed=2026), metadata=ehr)
assert settlement.BuildReviewList(s.BuildReviewListRequest(request_id=f"py-s-review-{run}", period=APRIL, seed=2026),
                                  metadata=ehr) == review, "a retry answers as the first"
items = [i for i in review.items if i.grant_id == grant.grant_id]
assert [(i.visited_minutes, i.delivered_minutes, i.deviation_minutes, i.amount_ore) for i in items] == [(300, 500, 200, 261_250)], items
assert s.REVIEW_REASON_OVER_DELIVERED in items[0].reasons, items[0].reasons
recovery = s.RecordReviewOutcomeRequest(request_id=f"py-s-outcome-{run}", period=APRIL, grant_id=grant.grant_id, provider_id=PROVIDER,
                                        outcome=s.REVIEW_OUTCOME_RECOVERY, note="200 minutter ud over det visiterede",
                                        recovery_ore=50_000)
recorded = settlement.RecordReviewOutcome(recovery, metadata=ehr)
assert (recorded.outcome, recorded.recovery_ore) == (s.REVIEW_OUTCOME_RECOVERY, 50_000), recorded
assert settlement.RecordReviewOutcome(recovery, metadata=ehr) == recorded, "a retry answers as the first"
other = s.RecordReviewOutcomeRequest()
other.CopyFrom(recovery)
other.request_id, other.outcome, other.recovery_ore = f"py-s-outcome-2-{run}", s.REVIEW_OUTCOME_NO_ACTION, 0
refused(lambda: settlement.RecordReviewOutcome(other, metadata=ehr), grpc.StatusCode.ALREADY_EXISTS)

# May's statement pays the recovery back, for April.
list(settlement.RunSettlement(s.RunSettlementRequest(request_id=f"py-s-run-may-{run}", period=MAY), metadata=operator))
may = settlement.ListStatements(s.ListStatementsRequest(provider_id=PROVIDER, period=MAY), metadata=operator).statements
assert [m.total_ore for m in may] == [-50_000], may
back = list(settlement.StreamStatementLines(s.StreamStatementLinesRequest(statement_id=may[0].statement_id), metadata=provider))
assert [(b.kind, b.amount_ore, b.period.month, b.grant_id) for b in back] == [(s.LINE_KIND_RECOVERY, -50_000, 4, grant.grant_id)], back

print(f"settlement at {settlement_address}: April issued at {issued.total_ore // 100:,}.{issued.total_ore % 100:02d} kr "
      f"({len(lines)} lines) and accepted, review list of {len(review.items)} with a 500.00 kr recovery on May's statement: "
      "all checks hold")
