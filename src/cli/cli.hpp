#pragma once

namespace desk::cli {

// Parse the command line, run the command, print errors; returns the process exit code.
int run(int argc, char** argv);

} // namespace desk::cli
