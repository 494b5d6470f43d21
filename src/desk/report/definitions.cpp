#include <desk/report/review.hpp>

namespace desk::report {

std::string_view measure_definitions()
{
  // Kept in step with share/doc/report-measures.md (the long form with examples).
  return R"(Measures (period [since, until); every figure is computed from the ticket events before
`until`, so a past period gives the same report whenever it is run):
  opened / closed / cancelled  tickets created / closed / cancelled in the period
  resolved       tickets still resolved (or confirmed/closed) at the end whose last resolution
                 was made in the period; the base of FCR, FLR, escalation, reopen, KB shares
  backlog        tickets open (new, triaged, assigned, in_progress, pending, escalated,
                 reopened) at the start / at the end of the period
  respond time   created -> responded_at (the first support action), for tickets responded
                 in the period; never paused
  resolve time   created -> last resolution, less the time paused (pending on a pause_on
                 reason, or resolved awaiting a confirmation that was rejected)
  business / calendar  working time of the configured calendar / wall-clock time; each as
                 mean, median (middle value, mean of the two middle ones) and p90 (nearest rank)
  SLA met        respond/resolve done by its due time on the priority's own SLA clock;
                 measured: done in the period, or fell due in the period and still not done
                 (a breach); cancelled tickets and priorities without targets are left out
  FLR            resolved with no escalate event, no reopen and never at a tier above 1
  FCR            FLR, and the resolve came straight from new or triaged (nothing assigned,
                 started, pending or escalated before it): the first line fixed it at once
  escalated      resolved tickets escalated at least once (to tier 2, tier 3, a vendor)
  reopened       resolved tickets the user rejected at least once
  reassignments  assign/escalate events that changed a set assignee to another person
  KB             resolved tickets whose resolve event recorded a knowledge-base article
  activity       escalations, reopens, resolve events and work-log minutes in the period
  satisfaction   confirmations in the period; rated ones, mean rating, satisfied = 4 or 5
  ageing         open tickets at the end by calendar age: 0-1, 1-3, 3-7, 7-30, >30 days
  workload       open/resolved per assignee and team at the end; log minutes per author
                 and per the team that held the ticket when the minutes were logged
  groups         a ticket counts in the group of its team/category/... at the end
  trend          the same measures per week (Monday-Sunday) or month, local time
Full definitions: share/doc/report-measures.md)";
}

} // namespace desk::report
