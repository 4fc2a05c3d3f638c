//! jwt-preflight: finds, offline, every reason Salesforce would reject an OAuth 2.0 JWT bearer
//! login. The library is a functional core: parsing and rules are pure functions from material
//! (key, certificate, assertion, expectations, `now`) to a report; the `cli` module is the thin
//! shell that does I/O, reads the clock and maps results to exit statuses.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod assertion;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod config;
pub mod defaults;
pub mod error;
pub mod explain;
pub mod finding;
pub mod fuzzing;
pub mod inspect;
pub mod keygen;
pub mod material;
pub mod pairs;
pub mod parallel;
pub mod report;
pub mod rules;
pub mod salesforce;
pub mod serve;
pub mod sfdx;
pub mod signature;
pub mod text;
pub mod timefmt;
pub mod token;
