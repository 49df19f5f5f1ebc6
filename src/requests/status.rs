//! The life of a request (诉求): new → acknowledged → in progress → resolved → closed, plus
//! referred (转办 to an outside department), rejected, duplicate and reopened. One table
//! says which action moves which status where; everything else is refused.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    New,
    Acknowledged,
    InProgress,
    Resolved,
    Closed,
    Referred,
    Rejected,
    Duplicate,
    Reopened,
}

pub const ALL: [Status; 9] = [
    Status::New,
    Status::Acknowledged,
    Status::InProgress,
    Status::Resolved,
    Status::Closed,
    Status::Referred,
    Status::Rejected,
    Status::Duplicate,
    Status::Reopened,
];

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Acknowledged => "acknowledged",
            Self::InProgress => "in_progress",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::Referred => "referred",
            Self::Rejected => "rejected",
            Self::Duplicate => "duplicate",
            Self::Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> Self {
        ALL.into_iter()
            .find(|status| status.as_str() == s)
            .unwrap_or(Self::New)
    }

    /// Still waiting for a first response.
    pub fn awaits_response(self) -> bool {
        matches!(self, Self::New | Self::Reopened)
    }

    /// Still to be resolved.
    pub fn open(self) -> bool {
        matches!(
            self,
            Self::New | Self::Acknowledged | Self::InProgress | Self::Referred | Self::Reopened
        )
    }
}

/// The stored names of the statuses that pass a test, for `IN (...)` filters.
pub fn stored_where(test: fn(Status) -> bool) -> Vec<&'static str> {
    ALL.into_iter()
        .filter(|s| test(*s))
        .map(Status::as_str)
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Acknowledge,
    Start,
    Resolve,
    Close,
    Refer,
    Reject,
    MarkDuplicate,
    Reopen,
}

pub const ACTIONS: [Action; 8] = [
    Action::Acknowledge,
    Action::Start,
    Action::Resolve,
    Action::Close,
    Action::Refer,
    Action::Reject,
    Action::MarkDuplicate,
    Action::Reopen,
];

/// Where `action` takes a request in `status`, if it may.
pub fn next(status: Status, action: Action) -> Option<Status> {
    use Status::*;
    let to = match action {
        Action::Acknowledge => Acknowledged,
        Action::Start => InProgress,
        Action::Resolve => Resolved,
        Action::Close => Closed,
        Action::Refer => Referred,
        Action::Reject => Rejected,
        Action::MarkDuplicate => Duplicate,
        Action::Reopen => Reopened,
    };
    let from: &[Status] = match action {
        Action::Acknowledge => &[New, Reopened],
        // Work starts once acknowledged, or goes on after a department's reply.
        Action::Start => &[Acknowledged, Referred, Reopened],
        Action::Resolve => &[Acknowledged, InProgress, Referred, Reopened],
        Action::Close => &[Resolved],
        Action::Refer => &[New, Acknowledged, InProgress, Reopened],
        Action::Reject => &[New, Acknowledged, Reopened],
        Action::MarkDuplicate => &[New, Acknowledged],
        Action::Reopen => &[Resolved, Closed],
    };
    from.contains(&status).then_some(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_allowed_moves_and_no_other() {
        let allowed = [
            (
                Status::New,
                vec![
                    Action::Acknowledge,
                    Action::Refer,
                    Action::Reject,
                    Action::MarkDuplicate,
                ],
            ),
            (
                Status::Acknowledged,
                vec![
                    Action::Start,
                    Action::Resolve,
                    Action::Refer,
                    Action::Reject,
                    Action::MarkDuplicate,
                ],
            ),
            (Status::InProgress, vec![Action::Resolve, Action::Refer]),
            (Status::Referred, vec![Action::Start, Action::Resolve]),
            (Status::Resolved, vec![Action::Close, Action::Reopen]),
            (Status::Closed, vec![Action::Reopen]),
            (Status::Rejected, vec![]),
            (Status::Duplicate, vec![]),
            (
                Status::Reopened,
                vec![
                    Action::Acknowledge,
                    Action::Start,
                    Action::Resolve,
                    Action::Refer,
                    Action::Reject,
                ],
            ),
        ];
        for (status, actions) in allowed {
            for action in ACTIONS {
                assert_eq!(
                    next(status, action).is_some(),
                    actions.contains(&action),
                    "{status:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn statuses_survive_their_text() {
        for status in ALL {
            assert_eq!(Status::parse(status.as_str()), status);
        }
    }
}
