//! Layer 6, the web: the HTTP API and pages of one person's coach, its metrics, the pages drawn from the
//! history (templates in `templates/`), and the clinic's server and the patient's side of sharing.

pub mod chart;
pub mod clinic;
pub mod history_page;
pub mod metrics;
pub mod report;
pub mod server;
