//! Where each key of a TOML file sits, from toml's own spans: definition errors name the line of the field
//! at fault rather than the first place its name happens to appear in the text.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

/// The spans of a parsed TOML document: every table, array element and value.
pub struct Spans {
    root: Node,
}

enum Node {
    Table(BTreeMap<String, Spanned<Node>>),
    Array(Vec<Spanned<Node>>),
    Value,
}

impl Spans {
    /// The spans of `text`; None when it does not parse (the real parse reports why).
    pub fn of(text: &str) -> Option<Spans> {
        toml::from_str::<Node>(text).ok().map(|root| Spans { root })
    }

    /// The byte range of the item at `path` (table keys, and array indices written as numbers).
    pub fn span(&self, path: &[&str]) -> Option<Range<usize>> {
        let mut node = &self.root;
        let mut span = None;
        for key in path {
            let next = match node {
                Node::Table(t) => t.get(*key)?,
                Node::Array(a) => a.get(key.parse::<usize>().ok()?)?,
                Node::Value => return None,
            };
            span = Some(next.span());
            node = next.get_ref();
        }
        span
    }

    /// The 1-based line of the first of `paths` found in `text`; 1 when none is.
    pub fn line(&self, text: &str, paths: &[&[&str]]) -> usize {
        paths.iter().find_map(|p| self.span(p)).map_or(1, |s| text[..s.start].matches('\n').count() + 1)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any TOML item")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut table = BTreeMap::new();
        while let Some((k, v)) = map.next_entry::<String, Spanned<Node>>()? {
            table.insert(k, v);
        }
        Ok(Node::Table(table))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<Spanned<Node>>()? {
            items.push(v);
        }
        Ok(Node::Array(items))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Value)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Value)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Value)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Value)
    }
    fn visit_str<E>(self, _: &str) -> Result<Node, E> {
        Ok(Node::Value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "id = \"x\" # the id\nname = \"x\"\n\n[phase]\nenter = 1\n\n[[checks]]\nid = \"a\"\n[[checks]]\nid = \"b\"\nrange = [1,\n  2]\n";

    #[test]
    fn lines_come_from_the_items_own_places() {
        let spans = Spans::of(TEXT).unwrap();
        let line = |p: &[&str]| spans.line(TEXT, &[p]);
        assert_eq!(line(&["name"]), 2);
        assert_eq!(line(&["phase", "enter"]), 5);
        assert_eq!(line(&["checks", "1", "id"]), 10);
        assert_eq!(line(&["checks", "1", "range"]), 11);
        // Tables, and array-of-tables elements, at their header.
        assert_eq!((line(&["phase"]), line(&["checks", "1"])), (4, 9));
        // Absent: the next path given, else line 1.
        assert_eq!(spans.line(TEXT, &[&["phase", "exit"], &["phase"]]), 4);
        assert_eq!(line(&["checks", "2"]), 1);
    }
}
