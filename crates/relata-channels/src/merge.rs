//! Merge fields: the small template language of messages. `{{contact.first_name}}`
//! is replaced by a value formatted in the recipient's language;
//! `{{#invoice.paid_amount}}…{{/invoice.paid_amount}}` shows its text only
//! when the value is there (not empty, not zero, not false), `{{^…}}…{{/…}}`
//! only when it is not. Templates are parsed when saved, so that a typo or
//! an unbalanced brace is refused then rather than found in a customer's
//! inbox.

use std::fmt;

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    Field(String),
    Section { path: String, inverted: bool, body: Vec<Node> },
}

/// Why a template does not parse, with the byte offset it was found at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeError {
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn error(code: &'static str, message: String) -> MergeError {
    MergeError { code, message }
}

/// Longest merge field name accepted (`account.parent_account` is 22).
const MAX_PATH: usize = 100;
/// Deepest nesting of sections.
const MAX_DEPTH: usize = 8;

impl Template {
    pub fn parse(text: &str) -> Result<Template, MergeError> {
        let mut stack: Vec<(String, bool, Vec<Node>)> = Vec::new();
        let mut nodes = Vec::new();
        let mut rest = text;
        let mut offset = 0;
        loop {
            let Some(open) = rest.find("{{") else {
                if let Some(stray) = rest.find("}}") {
                    return Err(error(
                        "unbalanced_braces",
                        format!("\"}}}}\" without \"{{{{\" at character {}", offset + stray),
                    ));
                }
                push_text(&mut nodes, rest);
                break;
            };
            if let Some(stray) = rest[..open].find("}}") {
                return Err(error(
                    "unbalanced_braces",
                    format!("\"}}}}\" without \"{{{{\" at character {}", offset + stray),
                ));
            }
            push_text(&mut nodes, &rest[..open]);
            let inner_start = open + 2;
            let Some(close) = rest[inner_start..].find("}}") else {
                return Err(error(
                    "unbalanced_braces",
                    format!("\"{{{{\" at character {} is not closed", offset + open),
                ));
            };
            let inner = rest[inner_start..inner_start + close].trim();
            if inner.contains("{{") {
                return Err(error(
                    "unbalanced_braces",
                    format!("\"{{{{\" at character {} is not closed", offset + open),
                ));
            }
            let (sigil, path) = match inner.chars().next() {
                Some(c @ ('#' | '^' | '/')) => (Some(c), inner[1..].trim()),
                _ => (None, inner),
            };
            check_path(path)?;
            match sigil {
                Some('#') | Some('^') => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(error("too_deep", format!("sections nest at most {MAX_DEPTH} deep")));
                    }
                    stack.push((path.to_string(), sigil == Some('^'), std::mem::take(&mut nodes)));
                }
                Some(_) => {
                    let Some((open_path, inverted, outer)) = stack.pop() else {
                        return Err(error("unbalanced_section", format!("{{{{/{path}}}}} closes no section")));
                    };
                    if open_path != path {
                        return Err(error(
                            "unbalanced_section",
                            format!("{{{{/{path}}}}} closes the section {{{{#{open_path}}}}}"),
                        ));
                    }
                    let body = std::mem::replace(&mut nodes, outer);
                    nodes.push(Node::Section { path: open_path, inverted, body });
                }
                None => nodes.push(Node::Field(path.to_string())),
            }
            let consumed = inner_start + close + 2;
            offset += consumed;
            rest = &rest[consumed..];
        }
        if let Some((path, _, _)) = stack.pop() {
            return Err(error("unbalanced_section", format!("the section {{{{#{path}}}}} is not closed")));
        }
        Ok(Template { nodes })
    }

    /// Every merge field the template uses, sections included, in order.
    pub fn fields(&self) -> Vec<&str> {
        fn walk<'a>(nodes: &'a [Node], out: &mut Vec<&'a str>) {
            for node in nodes {
                match node {
                    Node::Text(_) => {}
                    Node::Field(p) => out.push(p),
                    Node::Section { path, body, .. } => {
                        out.push(path);
                        walk(body, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.nodes, &mut out);
        out
    }

    /// The text with every field replaced by what `values` says of it.
    pub fn render(&self, values: &dyn Values) -> String {
        fn walk(nodes: &[Node], values: &dyn Values, out: &mut String) {
            for node in nodes {
                match node {
                    Node::Text(t) => out.push_str(t),
                    Node::Field(p) => out.push_str(&values.text(p).unwrap_or_default()),
                    Node::Section { path, inverted, body } => {
                        if values.present(path) != *inverted {
                            walk(body, values, out);
                        }
                    }
                }
            }
        }
        let mut out = String::new();
        walk(&self.nodes, values, &mut out);
        out
    }
}

/// What a template is rendered with.
pub trait Values {
    /// The text of a merge field, formatted for the recipient.
    fn text(&self, path: &str) -> Option<String>;
    /// Whether a section on this field shows.
    fn present(&self, path: &str) -> bool;
}

fn push_text(nodes: &mut Vec<Node>, text: &str) {
    if !text.is_empty() {
        nodes.push(Node::Text(text.to_string()));
    }
}

fn check_path(path: &str) -> Result<(), MergeError> {
    let valid = !path.is_empty()
        && path.len() <= MAX_PATH
        && path.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
    if valid {
        Ok(())
    } else {
        Err(error(
            "invalid_merge_field",
            format!("{{{{{path}}}}} is not a merge field (like {{{{contact.first_name}}}})"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);

    impl Values for Map {
        fn text(&self, path: &str) -> Option<String> {
            self.0.get(path).map(|s| s.to_string())
        }
        fn present(&self, path: &str) -> bool {
            self.0.get(path).is_some_and(|s| !s.is_empty() && *s != "0")
        }
    }

    fn values() -> Map {
        Map(HashMap::from([("contact.first_name", "Anna"), ("invoice.paid_amount", "100,00 zł"), ("x.zero", "0")]))
    }

    #[test]
    fn fields_are_replaced_and_sections_show_when_present() {
        let t = Template::parse(
            "Dear {{ contact.first_name }},{{#invoice.paid_amount}} we received {{invoice.paid_amount}}.{{/invoice.paid_amount}}{{^x.zero}} nothing{{/x.zero}}{{#x.zero}} hidden{{/x.zero}}",
        )
        .unwrap();
        assert_eq!(t.render(&values()), "Dear Anna, we received 100,00 zł. nothing");
        assert_eq!(
            t.fields(),
            vec!["contact.first_name", "invoice.paid_amount", "invoice.paid_amount", "x.zero", "x.zero"]
        );
    }

    #[test]
    fn broken_templates_say_what_is_wrong() {
        let code = |t: &str| Template::parse(t).unwrap_err().code;
        assert_eq!(code("Hello {{contact.first_name"), "unbalanced_braces");
        assert_eq!(code("Hello contact.first_name}}"), "unbalanced_braces");
        assert_eq!(code("Hello {{contact.{{first_name}}"), "unbalanced_braces");
        assert_eq!(code("{{#a.b}} open"), "unbalanced_section");
        assert_eq!(code("{{#a.b}}x{{/a.c}}"), "unbalanced_section");
        assert_eq!(code("{{/a.b}}"), "unbalanced_section");
        assert_eq!(code("{{Contact Name}}"), "invalid_merge_field");
        assert_eq!(code("{{}}"), "invalid_merge_field");
        assert_eq!(code(&"{{#a}}".repeat(9)), "too_deep");
        assert!(Template::parse("no fields at all, {single} braces are text").is_ok());
    }
}
