#pragma once

// Every step of the procedure as one library call: what the front ends include.
#include <desk/ops/kb_steps.hpp>
#include <desk/ops/repository_steps.hpp>
#include <desk/ops/review.hpp>
#include <desk/ops/step.hpp>
#include <desk/ops/ticket_steps.hpp>
