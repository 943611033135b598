//! Facts: what a policy's `when` can ask about a stage, where each comes from, and the host
//! (environment, files) behind a trait so tests use an in-memory one.

mod catalog;
mod hf_cache;
mod host;
mod model_facts;
mod model_lookup;
mod stage_facts;
mod value;

pub use catalog::{FACTS, FactSpec, FactType, fact_spec, suggest_fact};
pub use hf_cache::HfCache;
pub use host::{Host, MemoryHost, RealHost};
pub use model_facts::ModelFacts;
pub use model_lookup::find_model;
pub use stage_facts::StageFacts;
pub use value::FactValue;
