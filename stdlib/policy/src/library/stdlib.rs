use clarity_engine::PolicySource;

/// The name pipelines `use` the stdlib's policies by (they load without it too).
pub const STD_LIBRARY: &str = "std/policies";

/// The stdlib's policy files, in load order.
const FILES: [(&str, &str); 3] = [
    ("devices.kdl", include_str!("../../policies/devices.kdl")),
    (
        "precision.kdl",
        include_str!("../../policies/precision.kdl"),
    ),
    (
        "environment.kdl",
        include_str!("../../policies/environment.kdl"),
    ),
];

/// The stdlib's policy files as sources, named `std/policies/FILE.kdl`, in load order.
pub fn stdlib_policies() -> Vec<PolicySource> {
    FILES
        .iter()
        .map(|(file, text)| PolicySource {
            name: format!("{STD_LIBRARY}/{file}"),
            text: (*text).to_owned(),
        })
        .collect()
}

/// The stdlib's policies as one text, for [`clarity_engine::Registry::add_library`].
pub fn stdlib_library_text() -> String {
    FILES
        .iter()
        .map(|(_, text)| *text)
        .collect::<Vec<_>>()
        .join("\n")
}
