//! Credentials in URLs (`HF_ENDPOINT=http://user:token@host`) must not reach the terminal,
//! the run records or an error message: every URL's userinfo is masked.

/// `text` with the password (or a lone user name, which is often a token) of every URL's
/// userinfo replaced by `***`: `http://user:token@host/x` -> `http://user:***@host/x`,
/// `https://token@host` -> `https://***@host`. Text without credentials is unchanged.
pub fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        // The authority runs to the first '/', '?', '#' or whitespace.
        let end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(userinfo_end) => {
                let userinfo = &authority[..userinfo_end];
                match userinfo.split_once(':') {
                    Some((user, _)) if !user.is_empty() => {
                        out.push_str(user);
                        out.push_str(":***");
                    }
                    _ => out.push_str("***"),
                }
                out.push_str(&authority[userinfo_end..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact_userinfo;

    #[test]
    fn masks_passwords_and_tokens_in_urls() {
        assert_eq!(
            redact_userinfo("cannot reach http://user:s3cret@hub.local:8080/api (refused)"),
            "cannot reach http://user:***@hub.local:8080/api (refused)"
        );
        assert_eq!(
            redact_userinfo("https://hf_abc@host and https://a:b@c?x=1"),
            "https://***@host and https://a:***@c?x=1"
        );
        assert_eq!(
            redact_userinfo("https://huggingface.co/x@y"),
            "https://huggingface.co/x@y"
        );
        assert_eq!(redact_userinfo("no url: a@b"), "no url: a@b");
    }
}
