#pragma once

// The /v1 admin API of `bulkd serve` over a job_runner, on the admin_server (which checks the
// bearer token; see admin_server.hpp):
//
//   GET  /v1/jobs                 {"jobs":[summary...]}
//   GET  /v1/jobs/{name}          summary + "spec" (a short description), "current" (with live
//                                 counts), "last_runs" (newest first)
//   POST /v1/jobs/{name}/run      202 {"run":ID,"job":..,"state":"pending","url":"/v1/runs/ID"}
//   POST /v1/jobs/{name}/cancel   202 {"run":ID,"job":..,"cancel_requested":true}
//   GET  /v1/runs/{id}            the run (daemon/job_run.hpp's to_json; live counts while running)
//   POST /v1/runs/{id}/cancel     202 as for a job
//
// Errors are JSON {"error": "..."}: 404 unknown job or run, 409 a run is going already (run) or
// nothing is going / the run has finished (cancel), 501 a job kind this serve cannot run, 503 while
// shutting down.
//
// A summary: {"name","kind","mode":"scheduled|on-demand|continuous","schedule":null|"...",
// "runnable","state":"idle|pending|running","current_run":null|ID,"last_run":null|{"id","state",
// "ended","error"},"next_fire":null|time (the next scheduled fire, or when a failed continuous job
// starts again),"skipped_fires","origin"}.

#include "clients/error.hpp"

#include <string>

namespace bulkd {

class admin_server;
class job_runner;
struct job_view;

/// Adds the routes above to `server` (before its start). `runner` must outlive the server.
caf::error add_job_routes(admin_server& server, job_runner& runner);

/// The summary object of a job as JSON text.
std::string job_summary_json(const job_view& job);

} // namespace bulkd
