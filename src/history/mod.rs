//! Layer 5, history: sessions kept behind one interface (SQLite for one person, PostgreSQL for a clinic),
//! each session's timeline and the recorder that writes them, in the user's local days.

pub mod local_time;
pub mod recorder;
pub mod store;
pub mod timeline;
