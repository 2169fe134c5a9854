// Running the server roles in this process: start, wait for SIGTERM/SIGINT, drain.
#pragma once

#include "common/config/config.h"

namespace postern::services {

enum class Role { edge, router, keystore, all };  // all: keystore, router and edge

// Checks what a role needs beyond a valid file (the edge role needs listeners, the router
// role routes). Throws config::ConfigError naming the key.
void check_role_requirements(Role role, const config::Config& config);

// Starts the role(s) — keystore first (routers sign through it), then router, so an edge in
// the same process can submit at once — logs "ready" lines with the listening addresses, waits
// for SIGTERM or SIGINT, then drains: edge first (stop accepting, let sessions finish), then
// router, then keystore, all before one deadline of edge.drain_timeout. A second signal exits
// at once.
// Returns the exit code: 0 after a clean drain, 1 when a role failed to start (the reason is
// on stderr; roles already started are shut down first) or to stop.
int run_roles(Role role, const config::Config& config);

}  // namespace postern::services
