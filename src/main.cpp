#include "cli/cli.hpp"

int main(int argc, char** argv) { return desk::cli::run(argc, argv); }
