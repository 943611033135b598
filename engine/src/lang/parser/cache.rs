//! `cache { remote "s3://bucket/prefix" }`: the pipeline's cache settings.

use kdl::KdlNode;

use super::Parser;
use crate::lang::CacheSettings;
use crate::lang::kdl_read::NodeReader;

const HELP: &str = "write `cache { remote \"s3://bucket/prefix\" }`";

impl Parser<'_> {
    pub(super) fn parse_cache(&mut self, node: &KdlNode) -> CacheSettings {
        let mut settings = CacheSettings::default();
        let Some(children) = node.children().filter(|_| node.entries().is_empty()) else {
            self.malformed(node.span(), "malformed `cache`", "here", HELP);
            return settings;
        };
        for child in children.nodes() {
            match child.name().value() {
                "remote" => match child.entries() {
                    [entry] if entry.name().is_none() && child.children().is_none() => {
                        settings.remote = self.expect_string(entry);
                    }
                    _ => self.malformed(child.span(), "`remote` takes one string", "here", HELP),
                },
                _ => self.malformed(
                    child.name().span(),
                    "unknown cache setting",
                    "not a cache setting",
                    "the `cache` block holds `remote \"URL\"`",
                ),
            }
        }
        settings
    }
}
