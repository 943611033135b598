use clarity_engine::lang::SourceText;
use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

type Src = SourceText;

/// A mistake in a policy file.
#[derive(Debug, Error, Diagnostic)]
pub enum PolicyError {
    /// The KDL parser rejected the text.
    #[error("{message}")]
    #[diagnostic(code(clarity::policy::syntax))]
    Syntax {
        /// What is wrong.
        message: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// Where.
        #[label("{label}")]
        span: SourceSpan,
        /// Label text.
        label: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// The file is too large to be a policy file.
    #[error("policy file `{name}` is {size} bytes; the limit is {limit}")]
    #[diagnostic(
        code(clarity::policy::too_large),
        help("a policy file holds a handful of rules; split it up")
    )]
    TooLarge {
        /// File name.
        name: String,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Braces nest too deeply.
    #[error("blocks nest more than {limit} levels deep")]
    #[diagnostic(
        code(clarity::policy::too_deep),
        help("a policy needs three levels: policy, when, fact")
    )]
    TooDeep {
        /// Source text.
        #[source_code]
        src: Src,
        /// Where the limit is passed.
        #[label("too deep")]
        span: SourceSpan,
        /// The limit.
        limit: usize,
    },
    /// A top-level node that is not `policy` or `disable`.
    #[error("unknown item `{name}`")]
    #[diagnostic(code(clarity::policy::unknown_item))]
    UnknownItem {
        /// The node name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The node name.
        #[label("not a policy-file item")]
        span: SourceSpan,
        /// Did you mean / what items exist.
        #[help]
        help: String,
    },
    /// A node inside a policy that is neither a field nor an action.
    #[error("unknown action `{name}` in policy `{policy}`")]
    #[diagnostic(code(clarity::policy::unknown_action))]
    UnknownAction {
        /// The node name.
        name: String,
        /// The policy.
        policy: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The node name.
        #[label("no such action")]
        span: SourceSpan,
        /// Did you mean / what a policy holds.
        #[help]
        help: String,
    },
    /// A condition or placeholder naming no fact.
    #[error("unknown fact `{fact}`")]
    #[diagnostic(code(clarity::policy::unknown_fact))]
    UnknownFact {
        /// The name.
        fact: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// Where it is named.
        #[label("no such fact")]
        span: SourceSpan,
        /// Did you mean / the facts.
        #[help]
        help: String,
    },
    /// A value that is not one the fact or action takes.
    #[error("{message}")]
    #[diagnostic(code(clarity::policy::bad_value))]
    BadValue {
        /// What is wrong.
        message: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("{label}")]
        span: SourceSpan,
        /// Label text.
        label: String,
        /// The values it takes.
        #[help]
        help: String,
    },
    /// A node of the right name and the wrong shape.
    #[error("{message}")]
    #[diagnostic(code(clarity::policy::malformed))]
    Malformed {
        /// What is wrong.
        message: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// Where.
        #[label("{label}")]
        span: SourceSpan,
        /// Label text.
        label: String,
        /// How to write it.
        #[help]
        help: String,
    },
    /// Something given twice where once is allowed.
    #[error("{what} is given twice")]
    #[diagnostic(code(clarity::policy::duplicate))]
    Duplicate {
        /// What.
        what: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The second one.
        #[label("given again here")]
        span: SourceSpan,
        /// Where the first is, what to do.
        #[help]
        help: String,
    },
    /// A policy without actions.
    #[error("policy `{name}` does nothing")]
    #[diagnostic(
        code(clarity::policy::no_action),
        help("give it an action: device, precision, attention, env, warn or refuse")
    )]
    NoAction {
        /// The policy.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// Its name.
        #[label("no action")]
        span: SourceSpan,
    },
    /// `disable` names no policy loaded before it.
    #[error("cannot disable `{name}`: no policy of that name is loaded before this point")]
    #[diagnostic(code(clarity::policy::unknown_policy))]
    UnknownPolicy {
        /// The name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The name.
        #[label("no such policy")]
        span: SourceSpan,
        /// Did you mean / where the names are listed.
        #[help]
        help: String,
    },
}
