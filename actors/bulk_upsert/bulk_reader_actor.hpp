#pragma once

// The reader of a bulk-upsert run. Spawned detached (it blocks on file reads and runs the JSON /
// CSV parsing and EPK hashing in its own thread). It reads the planned files in order, in chunks,
// and for every chunk first tells the job which record positions it hands out (chunk_read, with
// the records it rejected), then routes each record by the EPK of its partition key to the worker
// of its range through a credit_channel per worker. It reads the next chunk only while every
// channel has credit, so memory stays bounded by workers x (mailbox + 1) x batch records plus one
// chunk, whatever the input size. A 100 ms tick sends partly filled batches.
//
// drain_atom: stop reading, send what is buffered, and quit once every batch is acknowledged.
// routing_update: new ranges after a split (records buffered for a gone range are re-routed).

#include "actors/bulk_upsert/bulk_messages.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "jobs/bulk_upsert/record_reader.hpp"
#include "jobs/bulk_upsert_spec.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bulkd {

struct reader_file {
  uint32_t index = 0; // into the job's file list (input_position::file)
  std::string path;
  resume_point from;
};

struct bulk_reader_config {
  caf::actor job;
  input_source source;
  record_extraction extraction;
  std::vector<reader_file> files;
  route_table routes;
  cosmos::partition_key_definition definition; // for the EPK (kind and version)
  uint32_t batch = 100;                        // records per message to a worker
  uint32_t mailbox = 16;                       // unacknowledged messages per worker
  size_t chunk = 1000;                         // records per read
};

/// Spawns the reader detached. It starts reading at once.
caf::actor spawn_bulk_reader(caf::local_actor* parent, bulk_reader_config config);

} // namespace bulkd
