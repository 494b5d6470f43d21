#pragma once

#include <desk/report/review.hpp>
#include <desk/storage/repository.hpp>

// The periodic review (`desk report`, the staff report page) over a repository.
namespace desk::ops {

// The review of the period in `options`, read through the ticket index: each ticket is
// measured as it is decoded and let go; tickets that cannot touch the period are counted
// but not decoded; a file that cannot be read is left out and named by its path relative
// to the repository (with line and column when known). Throws UsageError for an empty
// period.
report::ReviewReport review(const storage::Repository& repo, const report::ReportOptions& options);

} // namespace desk::ops
