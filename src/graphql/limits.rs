//! The shape of a query, checked as soon as it parses (before validation, the same for
//! HTTP and `/graphql/ws`): how deep it nests, how many aliases it uses, and whether it
//! asks for introspection.
//!
//! Depth replaces async-graphql's `limit_depth`, which counts every field, so the standard
//! introspection query (graphql-js's `getIntrospectionQuery()`, used by GraphiQL, codegen,
//! Apollo and Relay tooling, Postman, Insomnia) was refused: it nests `ofType` 15 deep. Data
//! depth here skips the subtrees of `__schema` and `__type`; those are capped instead by
//! graphql-js's own rule (`MaxIntrospectionDepthRule`: fewer than 3 nested `fields`,
//! `interfaces`, `possibleTypes`, `inputFields`), which is what makes introspection
//! expensive, while nesting `ofType` is not. async-graphql's recursion limit still bounds
//! every selection set, introspection included. When introspection is off, a query that
//! asks for it is refused outright instead of answering `null`.
//!
//! async-graphql has no alias limit, and aliases multiply work (`a1: login(...) a2:
//! login(...)`).

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use async_graphql::{
    Name, Pos, Positioned, ServerError, ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{ExecutableDocument, Field, Selection, SelectionSet},
};

use super::{
    error_codes::{VALIDATION_FAILED, stamp},
    localize::server_error,
};
use crate::error::msg;

/// The limits on a query's shape; `introspection` says whether `__schema` and `__type`
/// may be asked for at all.
#[derive(Clone, Copy, Debug)]
pub struct QueryShape {
    pub depth: usize,
    pub aliases: usize,
    pub introspection: bool,
}

/// Introspection list fields nested this deep are refused (graphql-js's `MAX_LISTS_DEPTH`).
const MAX_INTROSPECTION_LISTS: usize = 3;

fn is_introspection(field: &Field) -> bool {
    matches!(field.name.node.as_str(), "__schema" | "__type")
}

fn is_introspection_list(field: &Field) -> bool {
    matches!(
        field.name.node.as_str(),
        "fields" | "interfaces" | "possibleTypes" | "inputFields"
    )
}

impl ExtensionFactory for QueryShape {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

#[async_trait::async_trait]
impl Extension for QueryShape {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        self.check(&doc).map_err(|mut err| {
            stamp(&mut err, VALIDATION_FAILED);
            err
        })?;
        Ok(doc)
    }
}

impl QueryShape {
    /// Checks a parsed document against the limits.
    pub fn check(&self, doc: &ExecutableDocument) -> Result<(), ServerError> {
        let introspections = introspection_fields(doc);
        if let Some(field) = introspections.first()
            && !self.introspection
        {
            return Err(server_error(
                msg!("introspection is disabled on this server"),
                Some(field.pos),
            ));
        }
        let mut lists = Walk::new(doc, Metric::IntrospectionLists);
        for field in &introspections {
            if lists.set(&field.node.selection_set).0 >= MAX_INTROSPECTION_LISTS {
                return Err(server_error(
                    msg!(
                        "Maximum introspection depth exceeded: `fields`, `interfaces`, `possibleTypes` and `inputFields` may nest at most twice"
                    ),
                    Some(field.pos),
                ));
            }
        }
        let mut data = Walk::new(doc, Metric::Data);
        for (_, operation) in doc.operations.iter() {
            let (depth, pos) = data.set(&operation.node.selection_set);
            if depth > self.depth {
                return Err(server_error(
                    msg!(
                        "the query is nested {depth} levels deep; at most {max} are allowed",
                        depth = depth,
                        max = self.depth
                    ),
                    Some(pos.unwrap_or(operation.pos)),
                ));
            }
        }
        let aliases = count_aliases(doc);
        if aliases > self.aliases {
            return Err(server_error(
                msg!(
                    "the query uses {aliases} aliases; at most {max} are allowed",
                    aliases = aliases,
                    max = self.aliases
                ),
                Some(Pos { line: 1, column: 1 }),
            ));
        }
        Ok(())
    }
}

/// Every `__schema` and `__type` field of the document, in operations and fragments.
fn introspection_fields(doc: &ExecutableDocument) -> Vec<&Positioned<Field>> {
    fn collect<'a>(set: &'a Positioned<SelectionSet>, found: &mut Vec<&'a Positioned<Field>>) {
        for item in &set.node.items {
            match &item.node {
                Selection::Field(field) if is_introspection(&field.node) => found.push(field),
                Selection::Field(field) => collect(&field.node.selection_set, found),
                Selection::InlineFragment(inline) => collect(&inline.node.selection_set, found),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut found = Vec::new();
    for (_, operation) in doc.operations.iter() {
        collect(&operation.node.selection_set, &mut found);
    }
    for fragment in doc.fragments.values() {
        collect(&fragment.node.selection_set, &mut found);
    }
    found
}

#[derive(Clone, Copy)]
enum Metric {
    /// Every field counts one; introspection fields count one and are not entered.
    Data,
    /// Only introspection list fields count.
    IntrospectionLists,
}

/// The deepest path through a selection set, fragment spreads expanded. A fragment is
/// measured once (its depth does not depend on where it is spread), and a fragment cycle
/// counts nothing: validation, which runs later, refuses it.
struct Walk<'a> {
    doc: &'a ExecutableDocument,
    metric: Metric,
    fragments: HashMap<&'a Name, (usize, Option<Pos>)>,
    entered: HashSet<&'a Name>,
}

impl<'a> Walk<'a> {
    fn new(doc: &'a ExecutableDocument, metric: Metric) -> Self {
        Self {
            doc,
            metric,
            fragments: HashMap::new(),
            entered: HashSet::new(),
        }
    }

    /// The depth of `set` and where its deepest counted field is.
    fn set(&mut self, set: &'a Positioned<SelectionSet>) -> (usize, Option<Pos>) {
        let mut deepest = (0, None);
        for item in &set.node.items {
            let found = match &item.node {
                Selection::Field(field) => self.field(field),
                Selection::InlineFragment(inline) => self.set(&inline.node.selection_set),
                Selection::FragmentSpread(spread) => self.fragment(&spread.node.fragment_name.node),
            };
            if found.0 > deepest.0 {
                deepest = found;
            }
        }
        deepest
    }

    fn field(&mut self, field: &'a Positioned<Field>) -> (usize, Option<Pos>) {
        let (weight, enter) = match self.metric {
            Metric::Data => (1, !is_introspection(&field.node)),
            Metric::IntrospectionLists => (usize::from(is_introspection_list(&field.node)), true),
        };
        let below = if enter {
            self.set(&field.node.selection_set)
        } else {
            (0, None)
        };
        match below {
            (0, _) if weight > 0 => (weight, Some(field.pos)),
            (depth, pos) => (depth + weight, pos),
        }
    }

    fn fragment(&mut self, name: &'a Name) -> (usize, Option<Pos>) {
        if let Some(known) = self.fragments.get(name) {
            return *known;
        }
        let Some(fragment) = self.doc.fragments.get(name) else {
            return (0, None);
        };
        if !self.entered.insert(name) {
            return (0, None);
        }
        let found = self.set(&fragment.node.selection_set);
        self.entered.remove(name);
        self.fragments.insert(name, found);
        found
    }
}

/// Counts aliases in every operation and fragment of the document (each counted once).
pub fn count_aliases(doc: &ExecutableDocument) -> usize {
    fn in_set(set: &Positioned<SelectionSet>) -> usize {
        set.node
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + in_set(&field.node.selection_set)
                }
                Selection::InlineFragment(inline) => in_set(&inline.node.selection_set),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let operations: usize = doc
        .operations
        .iter()
        .map(|(_, op)| in_set(&op.node.selection_set))
        .sum();
    let fragments: usize = doc
        .fragments
        .values()
        .map(|fragment| in_set(&fragment.node.selection_set))
        .sum();
    operations + fragments
}
