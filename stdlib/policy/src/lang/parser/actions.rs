//! The actions of a policy: `device`, `precision`, `attention`, `env`, `warn`, `refuse`.

use super::*;

impl Parser<'_> {
    pub(super) fn parse_action(&mut self, node: &KdlNode, field: &str) -> Option<Action> {
        match field {
            "device" => self.parse_device(node).map(Action::Device),
            "precision" => self.parse_precision(node).map(Action::Precision),
            "attention" => self.parse_attention(node).map(Action::Attention),
            "env" => self.parse_env(node),
            "warn" => {
                let message = self
                    .expect_one_string(node, "write `warn \"MESSAGE\"`; `{fact}` quotes a fact")?;
                self.expect_template(&message).map(Action::Warn)
            }
            _ => self.parse_refuse(node),
        }
    }

    pub(super) fn parse_device(&mut self, node: &KdlNode) -> Option<DeviceName> {
        let value = self.expect_one_string(node, "write `device \"cpu\"`")?;
        let (message, help) = match value.value.parse::<DeviceName>() {
            Ok(device) => return Some(device),
            Err(_) if value.value.eq_ignore_ascii_case("auto") => (
                "a policy cannot switch to `auto`".to_owned(),
                format!("name a device: {}", DeviceName::NAMES.join(", ")),
            ),
            Err(_) => (
                format!("unknown device `{}`", value.value),
                choice_help(&value.value, &DeviceName::NAMES),
            ),
        };
        self.bad_value(value.span.range, message, "not a device", help);
        None
    }

    pub(super) fn parse_precision(&mut self, node: &KdlNode) -> Option<Precision> {
        let value = self.expect_one_string(node, "write `precision \"f32\"`")?;
        let settable = ["f32", "f16", "bf16"];
        let canonical = Precision::from_name(&value.value).filter(|p| p.name() == value.value);
        match canonical {
            None if value.value == "auto" => {
                let help = "set f32, f16 or bf16; `auto` is what a stage asks for, and policies resolve it";
                self.bad_value(
                    value.span.range,
                    "a policy cannot set precision `auto`".into(),
                    "not a precision",
                    help.into(),
                );
                None
            }
            Some(p) => Some(p),
            None => {
                let help = choice_help(&value.value, &settable);
                let message = format!("unknown precision `{}`", value.value);
                self.bad_value(value.span.range, message, "not a precision", help);
                None
            }
        }
    }

    pub(super) fn parse_attention(&mut self, node: &KdlNode) -> Option<Attention> {
        let value = self.expect_one_string(node, "write `attention \"eager\"`")?;
        let found = Attention::from_name(&value.value).filter(|a| a.name() == value.value);
        if found.is_none() {
            let help = choice_help(&value.value, &Attention::NAMES);
            let message = format!("unknown attention path `{}`", value.value);
            self.bad_value(value.span.range, message, "not an attention path", help);
        }
        found
    }

    pub(super) fn parse_env(&mut self, node: &KdlNode) -> Option<Action> {
        let help = "write `env \"NAME\" \"VALUE\"`; `{fact}` in the value quotes a fact";
        let pair = match node.entries() {
            [name, value] if name.name().is_none() && value.name().is_none() => Some((name, value)),
            _ => None,
        };
        let Some((name, value)) = pair.filter(|_| node.children().is_none()) else {
            self.malformed(
                node.span(),
                "`env` takes a variable name and a value",
                "here",
                help,
            );
            return None;
        };
        let (name, value) = (self.expect_string(name)?, self.expect_string(value)?);
        let valid = name
            .value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            let help = "use letters, digits and `_`, e.g. \"HF_HOME\"".to_owned();
            let message = format!("`{}` is not an environment variable name", name.value);
            self.bad_value(name.span.range, message, "not a variable name", help);
            return None;
        }
        let value = self.expect_template(&value)?;
        Some(Action::Env {
            name: name.value,
            value,
        })
    }

    pub(super) fn parse_refuse(&mut self, node: &KdlNode) -> Option<Action> {
        let shape = "write `refuse \"MESSAGE\"` or `refuse \"MESSAGE\" help=\"WHAT TO DO\"`";
        let (args, props): (Vec<&KdlEntry>, Vec<&KdlEntry>) =
            node.entries().iter().partition(|e| e.name().is_none());
        let help_prop = props
            .first()
            .filter(|p| p.name().is_some_and(|n| n.value() == "help"));
        if args.len() != 1
            || props.len() > 1
            || (props.len() == 1 && help_prop.is_none())
            || node.children().is_some()
        {
            self.malformed(node.span(), "malformed `refuse`", "here", shape);
            return None;
        }
        let message = self.expect_string(args[0])?;
        let message = self.expect_template(&message)?;
        let help = match help_prop {
            Some(entry) => {
                let text = self.expect_string(entry)?;
                Some(self.expect_template(&text)?)
            }
            None => None,
        };
        Some(Action::Refuse { message, help })
    }

    pub(super) fn check_refuse_alone(&mut self, body: &Body) {
        let refuse = body
            .actions
            .iter()
            .find(|a| matches!(a.value, Action::Refuse { .. }));
        if let Some(refuse) = refuse.filter(|_| body.actions.len() > 1) {
            let help =
                "a policy that refuses stops the plan; put the other actions into another policy";
            self.malformed(
                refuse.span.range,
                "`refuse` cannot be combined with other actions",
                "refuses",
                help,
            );
        }
    }
}
