#pragma once

// The messages between the actors of one bulk-upsert run (all local, never serialized):
//
//   reader -> worker   std::vector<input_record>            credit_channel; answered ok_atom once
//                                                           the worker has sent the records on
//   reader -> job      chunk_read                           before the chunk's records go out,
//                                                           so the job hands them out first
//   worker -> job      settled_batch                        after every response
//   worker -> job      reroute_records                      410/1002: re-route after a refresh
//   job -> worker      injected_records                     re-routed records (no credit)
//   job -> worker      (pause_atom, milliseconds)           RU budget spent: send nothing for a
//   while job -> worker      retire_atom                          the range is gone: forward
//   everything job -> reader      routing_update                       new ranges after a split
//   anyone -> job      progress_atom -> bulk_report         the counts so far, with the requests
//                                                           in flight per range (asked from the
//                                                           workers: in_flight_query_atom)
//   job -> worker      in_flight_query_atom -> uint64_t     requests sent and not yet answered

#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/cosmos/routing_map.hpp"
#include "jobs/bulk_upsert/bulk_report.hpp"
#include "jobs/bulk_upsert/input_record.hpp"

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bulkd {

using pause_atom = caf::atom_constant<caf::atom("bu_pause")>;
using retire_atom = caf::atom_constant<caf::atom("bu_retire")>;
using progress_atom = caf::atom_constant<caf::atom("bu_progr")>;
using read_atom = caf::atom_constant<caf::atom("bu_read")>;
using bulk_tick_atom = caf::atom_constant<caf::atom("bu_tick")>;
using drain_atom = caf::atom_constant<caf::atom("bu_drain")>;
using in_flight_atom = caf::atom_constant<caf::atom("bu_inflt")>;
using in_flight_query_atom = caf::atom_constant<caf::atom("bu_ifq")>;

/// A record that could not be written: what goes into the dead-letter file.
struct failed_record {
  input_position at;
  int status = 0;
  int substatus = 0;
  std::string message;
  std::string id;
  std::string record;
};

/// What a worker reports after a response: the records that settled and what it cost.
struct settled_batch {
  std::vector<input_position> written;
  std::vector<failed_record> failed;
  uint64_t retries = 0;   // operations sent again
  uint64_t throttles = 0; // operations answered 429
  uint64_t rebatches = 0; // operations re-batched after 413/3402
  double request_charge = 0;
};

/// A chunk the reader has read from one file, in file order: every record position (sent to
/// workers and rejected alike) is handed out by the job before the records go out.
struct chunk_read {
  uint32_t file = 0;
  std::vector<input_position> handed_out; // in file order
  std::vector<rejected_record> rejected;
  uint64_t bytes_read = 0;   // consumed of this file so far (compressed)
  bool end_of_file = false;  // the file is read to its end
  std::string error;         // reading the file failed: it ends here (not finished)
  bool end_of_input = false; // the last chunk of the last file
};

/// Records a worker could not place in its range (410/1002, 1007, or a retired range).
struct reroute_records {
  std::string range_id;
  std::vector<input_record> records;
  std::vector<uint32_t> attempts; // per record, attempts used so far
};

/// Records the job re-routed to a worker; they bypass the reader's credit.
struct injected_records {
  std::vector<input_record> records;
  std::vector<uint32_t> attempts;
};

/// The routing the reader uses after a split: ranges and the worker of each.
struct route_table {
  std::shared_ptr<const cosmos::routing_map> map;
  std::vector<std::string> range_ids; // parallel to workers
  std::vector<caf::actor> workers;

  /// The worker of a range id; invalid when unknown.
  caf::actor worker_of(const std::string& range_id) const {
    for (size_t i = 0; i < range_ids.size(); ++i)
      if (range_ids[i] == range_id)
        return workers[i];
    return {};
  }
};

struct routing_update {
  route_table routes;
};

} // namespace bulkd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<bulkd::input_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::settled_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::chunk_read)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::reroute_records)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::injected_records)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::routing_update)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::bulk_report)
