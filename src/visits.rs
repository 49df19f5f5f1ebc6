//! Home visits (入户走访, ARCHITECTURE.md §6): grid workers record visits, needs found on a
//! visit become requests in the same step, and the visit plan shows per grid which
//! households are due or overdue given their care level.

pub mod graphql;
pub mod schedule;
pub mod service;
