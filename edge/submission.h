// What the session hands to a router at the end of DATA/BDAT, and what comes back.
// Plain values (no Asio, no gRPC) so the session state machine stays pure.
#pragma once

#include <string>
#include <vector>

#include "common/smtp/codec/command.h"

namespace postern::edge {

struct ClientFacts {
  std::string address;    // client IP, textual
  std::string helo;       // as given in HELO/EHLO (normalised)
  std::string auth_user;  // empty when not authenticated
  bool tls = false;
  std::string listener;   // edge.listeners[].name
  // In edge.inbound.trusted_networks: the router may DKIM-sign its mail (router.dkim).
  bool trusted_network = false;
};

struct SubmitRequest {
  std::string transaction_id;  // the id in our Received header; for logs
  std::string mail_from;       // reverse-path without brackets; "" = null sender
  std::vector<std::string> recipients;
  bool smtputf8 = false;
  smtp::codec::BodyType body = smtp::codec::BodyType::unspecified;
  std::string envid;
  ClientFacts client;
  std::string message;  // Received header + content: CRLF line ends, no dot-stuffing
  // DMARC evaluation records (dmarc/evaluation_record.h JSON lines) the router stores with
  // the message, for aggregate reports.
  std::vector<std::string> dmarc_evaluations;
};

// ok: the router acknowledged durable storage under queue_id. Otherwise nothing was queued
// (as far as the edge can tell) and the client gets a 4xx: at-least-once, never a false 250.
struct SubmitResult {
  bool ok = false;
  std::string queue_id;
  std::string error;  // for logs only, never sent to the client
};

}  // namespace postern::edge
