//! Opinion collection (征集意见, issue 22): community staff, or a compound's committee for
//! their compound, put questions to the households or residents of a community, a compound
//! or some buildings; residents answer (and change their answer) while it is open, staff
//! record answers collected on paper or at the door, residents leave suggestions that
//! organisers answer publicly or adopt; after it closes the organiser publishes the
//! results with what will be done, and exports them.
//!
//! Invariants: one answer per unit (household or resident), enforced by a unique keyed hash
//! of (consultation, unit) on the answer row; an anonymous consultation's answer rows hold
//! nothing else about who gave them (no household, resident, user, paper reference or
//! time, a random v4 id), its results stay hidden until it closes, and no API returns who
//! answered what; turnout per building is a counter apart from the answers. Questions are
//! fixed once anyone has answered. Drafts are seen only by organisers; a resident sees
//! only consultations put to a home of theirs (others are NOT_FOUND, like another
//! compound's meetings).

pub mod access;
pub mod answer_mutation;
pub mod answers;
pub mod drafting;
pub mod export;
pub mod graphql;
pub mod loaders;
pub mod mutation;
pub mod publication;
pub mod query;
pub mod questions;
pub mod responses;
pub mod result_types;
pub mod results;
pub mod suggestions;
pub mod types;
pub mod units;
