//! The Chinese markdown a WeCom group robot posts for each event, from the event's `data`
//! (labels and facts, never personal data): one bold headline the staff chat can scan,
//! then the community.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{calendar::in_china, outbox::EventType};

fn text<'a>(data: &'a Value, key: &str) -> &'a str {
    data.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn label<'a>(data: &'a Value, key: &str) -> &'a str {
    text(&data["labels"], key)
}

/// `11-30 10:30` in China time, or "" when the fact is missing.
fn when(data: &Value, key: &str) -> String {
    text(data, key)
        .parse::<DateTime<Utc>>()
        .map(|at| in_china(at).format("%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn number(data: &Value, key: &str) -> i64 {
    data.get(key).and_then(Value::as_i64).unwrap_or_default()
}

/// Where a request is and who has it: `3号楼 路灯不亮 → 第1网格 张三`.
fn request_line(data: &Value) -> String {
    let place = [label(data, "building"), text(data, "title")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let handler = [label(data, "grid"), label(data, "assignee")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if handler.is_empty() {
        place
    } else {
        format!("{place} → {handler}")
    }
}

/// A household's building and grid, never who lives there: `3号楼 → 第1网格`.
fn place_line(data: &Value) -> String {
    [label(data, "building"), label(data, "grid")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The robot's markdown for an event.
pub fn markdown(event_type: &str, data: &Value) -> String {
    let Some(kind) = EventType::parse(event_type) else {
        return format!("【通知】{event_type}");
    };
    let headline = match kind {
        EventType::RequestAssigned => format!(
            "【新诉求】{}，首次响应时限 {}",
            request_line(data),
            when(data, "firstResponseDueAt")
        ),
        EventType::RequestFirstResponseOverdue => format!(
            "【诉求超时未响应】{}，时限 {} 已过",
            request_line(data),
            when(data, "dueAt")
        ),
        EventType::RequestResolutionOverdue => format!(
            "【诉求逾期未办结】{}，办结时限 {} 已过",
            request_line(data),
            when(data, "dueAt")
        ),
        EventType::RequestResolved => format!("【诉求已办结】{}", request_line(data)),
        EventType::RequestRatedLow => format!(
            "【诉求评价偏低】{}，评分 {}/5",
            request_line(data),
            number(data, "rating")
        ),
        EventType::AnnouncementUnread => format!(
            "【紧急通知未读】《{}》发布已 {} 小时，仍有 {}/{} 户未读",
            text(data, "title"),
            number(data, "hoursSincePublished"),
            number(data, "unreadHouseholds"),
            number(data, "audienceHouseholds")
        ),
        EventType::ExpenseAwaitingApproval => format!(
            "【支出待审批】{}：{} ¥{}，需 {} 人审批",
            label(data, "fund"),
            text(data, "purpose"),
            text(data, "amount"),
            number(data, "approvalsRequired")
        ),
        EventType::StatementPublished => format!(
            "【账目公示】{} 已公示第 {} 至 {} 笔，余额 ¥{}\n[查看公示]({})",
            label(data, "fund"),
            number(data, "fromSeq"),
            number(data, "toSeq"),
            text(data, "closingBalance"),
            text(data, "link")
        ),
        EventType::VotingOpened => format!(
            "【表决开始】{}，{} 截止",
            text(data, "title"),
            when(data, "closesAt")
        ),
        EventType::VotingClosingSoon => format!(
            "【表决即将截止】{}，{} 截止",
            text(data, "title"),
            when(data, "closesAt")
        ),
        EventType::VotingClosed => format!(
            "【表决结束】{}：{}",
            text(data, "title"),
            if data["passed"].as_bool() == Some(true) {
                "通过"
            } else {
                "未通过"
            }
        ),
        EventType::ObjectionLodged => {
            format!("【收到异议】决议《{}》收到一条异议", text(data, "title"))
        }
        EventType::MediationFollowUpDue => format!(
            "【调解回访到期】{}，回访日 {}",
            text(data, "title"),
            text(data, "followUpOn")
        ),
        EventType::VisitsOverdue => format!(
            "【走访逾期】{}：{} 户入户走访已逾期",
            label(data, "grid"),
            number(data, "overdueHouseholds")
        ),
        EventType::CareCheckInMissed => format!(
            "【关爱巡查未打卡】{}：一户关爱对象已连续 {} 次未按时打卡，应于 {} 前见到",
            place_line(data),
            number(data, "missedCheckIns"),
            when(data, "dueAt")
        ),
        EventType::CareAlarm => format!(
            "【一键呼叫】{}：关爱对象家中报警按钮被按下，已派紧急诉求，请立即联系",
            place_line(data)
        ),
        EventType::WebhookDisabled => format!(
            "【推送已停用】{}（{}）连续失败超过一天，已停用，请{}检查后重新启用",
            text(data, "description"),
            text(data, "url"),
            label(data, "owner")
        ),
        EventType::WebhookTest => "【测试】jiedao 推送测试，收到即配置成功".to_owned(),
    };
    let community = label(data, "community");
    if community.is_empty() {
        headline
    } else {
        format!("**{headline}**\n> {community}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_assigned_request_reads_like_the_staff_chat() {
        let data = json!({
            "title": "路灯不亮",
            "firstResponseDueAt": "2026-11-30T02:30:00Z",
            "labels": {"community": "幸福社区", "building": "3号楼", "grid": "第1网格", "assignee": "张三"},
        });
        assert_eq!(
            markdown("request.assigned", &data),
            "**【新诉求】3号楼 路灯不亮 → 第1网格 张三，首次响应时限 11-30 10:30**\n> 幸福社区"
        );
    }

    #[test]
    fn a_missed_care_check_in_names_the_building_and_grid_never_the_resident() {
        let data = json!({
            "missedCheckIns": 2,
            "dueAt": "2026-11-30T02:30:00Z",
            "labels": {"community": "幸福社区", "building": "3号楼", "grid": "第1网格"},
        });
        assert_eq!(
            markdown("care.check_in_missed", &data),
            "**【关爱巡查未打卡】3号楼 → 第1网格：一户关爱对象已连续 2 次未按时打卡，应于 11-30 10:30 前见到**\n> 幸福社区"
        );
    }
}
