//! The one table of client-facing messages: the English template of every `msg!` in the
//! code, with its Simplified Chinese translation, worded as a government service would put
//! it to residents and community workers. Placeholders (`{name}`) are the same in both;
//! amounts are yuan. Tests below fail when a `msg!` has no entry here, when an entry's
//! placeholders differ between the languages, or when an entry is no longer used.

use std::{collections::HashMap, sync::LazyLock};

/// English template → Simplified Chinese.
const ZH: &[(&str, &str)] = &[
    ("the demo data is already loaded", "演示数据已导入"),
    ("resident not found", "未找到该居民"),
    ("user not found", "未找到该用户"),
    (
        "{what} cannot be in the future",
        "{what}的时间不能晚于当前时间",
    ),
    (
        "{what} is dated {day}, more than {days} days ago; check the year",
        "{what}的日期为 {day}，已超过 {days} 天，请检查年份是否有误",
    ),
    ("street office not found", "未找到该街道办事处"),
    ("community not found", "未找到该社区"),
    ("compound not found", "未找到该小区"),
    ("building not found", "未找到该楼栋"),
    ("grid not found", "未找到该网格"),
    ("dwelling not found", "未找到该房屋"),
    ("household not found", "未找到该住户"),
    ("device not found", "未找到该设备"),
    // Activities and volunteers (issue 22).
    (
        "your login is not linked to a resident record",
        "您的账号尚未关联居民信息",
    ),
    (
        "signing up needs your resident record in this community; ask the community office to link your login",
        "报名需要您在本社区的居民信息，请联系社区工作人员关联您的账号",
    ),
    (
        "you may sign up yourself and the members of your household",
        "您只能为本人和本户家庭成员报名",
    ),
    (
        "a description is at most {max} characters",
        "活动介绍最多 {max} 个字",
    ),
    (
        "capacity is 0 to {max} places, and 0 for an activity that goes to households",
        "名额为 0 至 {max} 个；上门送达类活动的名额为 0",
    ),
    (
        "you may cancel your own and your household's sign-ups",
        "您只能取消本人和本户家庭成员的报名",
    ),
    (
        "a sign-up is cancelled before the activity starts; ask the organiser",
        "报名须在活动开始前取消，如需取消请联系活动组织方",
    ),
    (
        "attendance is confirmed once the activity has begun",
        "活动开始后才能确认出席",
    ),
    (
        "check-in opens half an hour before the activity and closes at its end",
        "签到在活动开始前半小时开放，活动结束时关闭",
    ),
    (
        "deliveries are for the activity's organisers and confirmed volunteers",
        "送达名单仅供活动组织方和已确认的志愿者查看",
    ),
    (
        "deliveries are recorded while the activity is on",
        "活动进行中才能登记送达情况",
    ),
    (
        "hours are confirmed once the activity has begun",
        "活动开始后才能确认志愿服务时长",
    ),
    (
        "households are added to a delivery activity that has not closed",
        "只能向尚未结束的送达类活动添加住户",
    ),
    (
        "the activity's status does not allow this now",
        "该活动当前状态不允许此操作",
    ),
    ("these hours are already confirmed", "该志愿服务时长已确认"),
    (
        "this activity does not take sign-ups now",
        "该活动当前不接受报名",
    ),
    (
        "this activity is a draft; only its organisers see it",
        "该活动尚为草稿，仅活动组织方可见",
    ),
    (
        "this activity is for another audience",
        "该活动不面向此居民",
    ),
    (
        "this resident is already signed up for this activity",
        "该居民已报名此活动",
    ),
    ("this sign-up is already cancelled", "该报名已取消"),
    (
        "volunteer hours are for the community's staff and the volunteer",
        "志愿服务时长仅供社区工作人员和志愿者本人查看",
    ),
    (
        "you have no confirmed place at this activity",
        "您在该活动中没有已确认的名额",
    ),
    (
        "a volunteer role needs 1 to 1000 places",
        "志愿岗位人数为 1 至 1000 人",
    ),
    ("a year from 2000 to 2100", "年份须在 2000 至 2100 之间"),
    ("activity not found", "未找到该活动"),
    (
        "an activity ends after it starts, within seven days",
        "活动结束时间须晚于开始时间，且活动不超过七天",
    ),
    (
        "an activity must start in the future",
        "活动开始时间须晚于当前时间",
    ),
    ("at most {max} volunteer roles", "最多 {max} 个志愿岗位"),
    ("attendance is already confirmed", "出席已确认"),
    ("delivery not found", "未找到该送达记录"),
    (
        "hours are recorded for confirmed volunteers only",
        "只能为已确认的志愿者登记服务时长",
    ),
    (
        "minutes served are 1 to {max}",
        "服务时长为 1 至 {max} 分钟",
    ),
    (
        "name the compound whose residents may sign up",
        "请指定可报名居民所在的小区",
    ),
    (
        "no such volunteer role in this activity",
        "该活动没有此志愿岗位",
    ),
    (
        "only confirmed sign-ups attend",
        "只有已确认名额的报名才能确认出席",
    ),
    (
        "only confirmed sign-ups check in",
        "只有已确认名额的报名才能签到",
    ),
    (
        "only the community's admins and staff organise activities",
        "只有社区管理员和工作人员可以组织活动",
    ),
    ("record DELIVERED or NOT_HOME", "请登记“已送达”或“不在家”"),
    ("sign-up not found", "未找到该报名"),
    ("that is not this activity's check-in code", "签到码不正确"),
    (
        "the sign-up deadline has passed; create the activity again",
        "报名截止时间已过，请重新创建活动",
    ),
    (
        "the sign-up deadline is in the future and not after the start",
        "报名截止时间须晚于当前时间且不晚于活动开始时间",
    ),
    (
        "the volunteer did not check in: give the minutes served",
        "该志愿者未签到，请填写服务时长（分钟）",
    ),
    (
        "this activity takes volunteers only; choose a role",
        "该活动仅招募志愿者，请选择志愿岗位",
    ),
    (
        "only community staff and the household's grid worker set a care watch",
        "只有社区工作人员和该户所在网格的网格员可以设置关爱巡查",
    ),
    (
        "only community staff register care devices",
        "只有社区工作人员可以登记关爱设备",
    ),
    (
        "only community staff, the grid worker and the household record check-ins",
        "只有社区工作人员、网格员和本户居民可以登记关爱打卡",
    ),
    (
        "you may not record this kind of check-in for this household",
        "您不能为该户登记此类关爱打卡",
    ),
    (
        "this household is not under care watch",
        "该户未列入关爱巡查",
    ),
    (
        "care data is for community staff, the grid worker, the household and its family contacts",
        "关爱巡查信息仅供社区工作人员、网格员、本户居民及其家属联系人查看",
    ),
    ("a note is at most {max} characters", "备注最多 {max} 个字"),
    (
        "care alerts are for community staff and the grid's workers",
        "关爱预警仅供社区工作人员和本网格网格员查看",
    ),
    ("unknown or revoked device token", "设备令牌无效或已停用"),
    (
        "the body must be JSON with \"event\" (heartbeat, door_opened or alarm) and optionally \"at\" (an RFC 3339 time)",
        "请求体须为 JSON，包含 \"event\"（heartbeat、door_opened 或 alarm），可选 \"at\"（RFC 3339 时间）",
    ),
    (
        "event must be heartbeat, door_opened or alarm",
        "event 须为 heartbeat、door_opened 或 alarm",
    ),
    (
        "at must be an RFC 3339 time such as 2026-11-29T08:30:00+08:00",
        "at 须为 RFC 3339 时间，例如 2026-11-29T08:30:00+08:00",
    ),
    (
        "the password must be changed before anything else",
        "请先修改密码，再进行其他操作",
    ),
    (
        "too many attempts, try again later",
        "请求过于频繁，请稍后再试",
    ),
    (
        "the fund's ledger no longer matches this published statement (from entry {seq} on); report it to the street office",
        "该资金账目与已公示的报表不一致（自第 {seq} 笔起），请向街道办事处报告",
    ),
    ("internal error", "服务器内部错误，请稍后再试"),
    ("not a valid ID", "ID 格式不正确"),
    ("must not be empty", "不能为空"),
    ("must have at most {max} characters", "最多 {max} 个字"),
    (
        "give a time as HH:MM, e.g. 08:30",
        "请按“时:分”填写时间，例如 08:30",
    ),
    (
        "a weekday is 1 (Monday) to 7 (Sunday)",
        "星期几请填 1（星期一）到 7（星期日）",
    ),
    (
        "a shift ends after it starts; split a night shift at midnight",
        "班次的结束时间须晚于开始时间；跨夜的班次请在午夜拆成两班",
    ),
    (
        "the WeChat group registry is for the people who work in the community",
        "微信群登记仅供社区工作人员查看",
    ),
    (
        "only the community's admins and staff manage its WeChat groups",
        "只有社区管理员和工作人员可以管理社区的微信群",
    ),
    ("WeChat group not found", "未找到该微信群"),
    ("a grid's group names its grid", "网格群须指明所属网格"),
    (
        "a community registers at most {max} WeChat groups",
        "一个社区最多登记 {max} 个微信群",
    ),
    (
        "a rota has at most {max} shifts",
        "一张值班表最多 {max} 个班次",
    ),
    (
        "only the group's staff go on its rota",
        "只有该群的工作人员可以排入值班表",
    ),
    (
        "not a WeChat group of this community",
        "不是本社区登记的微信群",
    ),
    (
        "the community already has a WeChat group of that name",
        "本社区已有同名的微信群",
    ),
    (
        "a WeChat group has 0 to 5000 members",
        "微信群人数应在 0 到 5000 之间",
    ),
    (
        "a group serves at most {max} buildings",
        "一个群最多对应 {max} 栋楼",
    ),
    ("not a building of this community", "不是本社区的楼栋"),
    (
        "a group has at most {max} staff members",
        "一个群最多 {max} 名工作人员",
    ),
    (
        "only people who work in the community are a group's staff",
        "只有本社区的工作人员才能作为群内工作人员",
    ),
    (
        "give the group: its registry ID or its name",
        "请指明微信群：登记编号或群名",
    ),
    (
        "the file is not a CSV or XLSX file (save old .xls or password-protected workbooks as .xlsx first)",
        "文件不是 CSV 或 XLSX 格式（旧版 .xls 或设有密码的工作簿请先另存为 .xlsx）",
    ),
    (
        "the CSV file is not UTF-8, UTF-16 or GB18030 text",
        "CSV 文件不是 UTF-8、UTF-16 或 GB18030 编码的文本",
    ),
    (
        "the file is empty or has no header row (a row with at least two filled cells)",
        "文件为空或缺少表头行（表头行至少有两个非空单元格）",
    ),
    (
        "the XLSX workbook could not be read, it may be damaged: {cause}",
        "无法读取该 XLSX 工作簿，文件可能已损坏：{cause}",
    ),
    (
        "the CSV file is malformed at line {line}: a quoted cell is never closed",
        "CSV 文件第 {line} 行格式错误：引号未闭合",
    ),
    (
        "the file has more than {max} data rows",
        "文件数据超过 {max} 行",
    ),
    (
        "the file goes on past row {last} (up to {at}): it may have {max_rows} data rows and {allowance} more rows for titles, the header and blank rows. Delete everything below the table, blank rows too, or split the file",
        "文件内容超过第 {last} 行（直到 {at}）：最多 {max_rows} 行数据，另加 {allowance} 行标题、表头和空行。请删除表格下方的所有内容（包括空行），或拆分文件",
    ),
    (
        "cell {cell} is right of column {last}, the last of the {max} columns read: delete what is right of the table, or move it left",
        "单元格 {cell} 超出了第 {last} 列（最多读取 {max} 列）：请删除表格右侧的内容，或将其左移",
    ),
    (
        "cell {cell} holds more than {max} characters, the most one cell may hold",
        "单元格 {cell} 超过 {max} 个字符，超出单元格上限",
    ),
    (
        "the file holds more than {mib} MiB of text in its cells, far more than a roster needs: is it the right file?",
        "文件单元格中的文字超过 {mib} MiB，远超台账所需，请确认是否选错了文件",
    ),
    (
        "the workbook is too big to read: {what}. Copy the table into a new workbook and upload that",
        "工作簿过大，无法读取：{what}。请将表格复制到新工作簿后再上传",
    ),
    (
        "the column \"{name}\" appears more than once in the header row",
        "表头中“{name}”列出现了不止一次",
    ),
    ("wrong username or password", "用户名或密码错误"),
    (
        "the refresh token is not valid; log in again",
        "登录凭证已失效，请重新登录",
    ),
    (
        "the new password must differ from the current one",
        "新密码不能与当前密码相同",
    ),
    (
        "the session has ended; log in again",
        "登录已失效，请重新登录",
    ),
    ("the current password is wrong", "当前密码不正确"),
    ("this role needs a scope", "该角色需要指定管辖范围"),
    (
        "this role's scope is not in that community; leave communityId out",
        "该角色的管辖范围不在该社区内，请不要填写 communityId",
    ),
    ("the grid is in another community", "该网格属于其他社区"),
    ("the grid is archived", "该网格已归档"),
    ("the compound is archived", "该小区已归档"),
    ("the household has moved out", "该住户已迁出"),
    (
        "the scope is in another community",
        "该管辖范围属于其他社区",
    ),
    (
        "you may grant only roles below your own, inside your own scope",
        "只能在本人管辖范围内授予低于本人的角色",
    ),
    ("the account is disabled", "该账号已停用"),
    ("must be after validFrom", "必须晚于 validFrom"),
    (
        "the user already holds this role on this scope",
        "该用户在此范围内已有该角色",
    ),
    ("grant not found", "未找到该授权"),
    (
        "you may revoke only roles below your own, inside your own scope",
        "只能在本人管辖范围内撤销低于本人的角色",
    ),
    ("the grant is already revoked", "该授权已被撤销"),
    (
        "this grant comes from a committee position; end the position instead",
        "该授权来自自管会职务，请改为结束该职务",
    ),
    (
        "this grant comes from a resident account; unlink the account or move the resident out instead",
        "该授权来自居民账号，请解除账号绑定或办理居民迁出",
    ),
    ("the position has already ended", "该职务已结束"),
    (
        "a username has 3 to 64 characters",
        "用户名长度为 3 至 64 个字符",
    ),
    (
        "a username may hold letters, digits and . _ - @ only",
        "用户名只能包含字母、数字和 . _ - @",
    ),
    ("only admins create accounts", "只有管理员可以创建账号"),
    (
        "the community is not in this street office; give only the community",
        "该社区不属于此街道办事处，请只填写社区",
    ),
    (
        "give the community (or street office) the account belongs to",
        "请填写账号所属的社区（或街道办事处）",
    ),
    ("you do not administer that place", "您不是该单位的管理员"),
    ("this username is taken", "该用户名已被占用"),
    (
        "this user holds roles outside your scope or not below yours",
        "该用户持有超出您管辖范围或不低于您的角色",
    ),
    ("only admins list users", "只有管理员可以查看用户列表"),
    ("fund not found", "未找到该资金"),
    ("the fund is closed", "该资金已关闭"),
    ("the amount is too large", "金额过大"),
    (
        "the fund holds {balance} yuan; this would take it below zero",
        "该资金余额为 {balance} 元，此操作将使余额低于零",
    ),
    ("that entry has already been reversed", "该笔记录已被冲正"),
    ("statement not found", "未找到该报表"),
    (
        "only committee members decide on expenses",
        "只有自管会成员可以审批支出",
    ),
    (
        "the author of an expense cannot decide on it",
        "支出的发起人不能审批自己的支出",
    ),
    ("say why you reject it", "请说明驳回理由"),
    (
        "you have already decided on this expense",
        "您已审批过这笔支出",
    ),
    ("expense not found", "未找到该支出"),
    ("say why it is cancelled", "请说明取消理由"),
    (
        "nothing to publish: the ledger has entries 1 to {head}, the range is {from} to {to}",
        "没有可公示的内容：账目为第 1 至 {head} 笔，所选范围为第 {from} 至 {to} 笔",
    ),
    ("entry not found", "未找到该记录"),
    (
        "a levy names 1 to 10,000 households",
        "一次收费须包含 1 至 10000 户",
    ),
    (
        "every household lives in the fund's compound",
        "所有住户都必须住在该资金所属的小区",
    ),
    ("the total is too large", "总金额过大"),
    (
        "every household's dwelling needs a registered floor area to split by area",
        "按面积分摊时，每户房屋都须登记建筑面积",
    ),
    ("the floor areas add up to nothing", "建筑面积合计为零"),
    (
        "an amount is above 0 and at most 10^12 yuan",
        "金额必须大于零，且不超过 10^12 元",
    ),
    ("levy not found", "未找到该收费"),
    ("a levy is paid by a household", "收费须由住户缴纳"),
    (
        "the household has no share in this levy",
        "该住户不在此次收费范围内",
    ),
    (
        "the household owes {owed} yuan of this levy (share {share}, paid {paid}); record anything beyond it as a contribution without the levy",
        "该住户此次收费尚欠 {owed} 元（应缴 {share} 元，已缴 {paid} 元）；超出部分请登记为不关联收费的捐款",
    ),
    (
        "a {status} expense takes no receipts",
        "状态为“{status}”的支出不能添加收据",
    ),
    (
        "an expense has at most {max} receipts",
        "每笔支出最多 {max} 张收据",
    ),
    ("receipt not found", "未找到该收据"),
    (
        "receipts are removed only from a draft; approvers have seen them since",
        "只能从草稿中删除收据，提交后审批人已查看过",
    ),
    (
        "give either householdId or donorName",
        "请填写 householdId 或 donorName 之一",
    ),
    (
        "only the community's residents and staff read its funds",
        "只有本社区居民和工作人员可以查看资金",
    ),
    (
        "only the fund's treasurer records money",
        "只有该资金的出纳可以记账",
    ),
    (
        "only the community's staff or the committee's director open funds",
        "只有社区工作人员或自管会主任可以开设资金",
    ),
    (
        "an idempotency key is 8 to 100 visible ASCII characters, e.g. a UUID",
        "幂等键须为 8 至 100 个可见 ASCII 字符，例如 UUID",
    ),
    (
        "a request with this idempotency key is still running; retry",
        "使用该幂等键的请求仍在处理中，请稍后重试",
    ),
    (
        "this idempotency key was used for a different request",
        "该幂等键已用于其他请求",
    ),
    (
        "above the fund's threshold an expense needs a passed meeting resolution",
        "超过资金限额的支出须有会议通过的决议",
    ),
    (
        "the resolution approves {approved} yuan in all and {cited} is already cited",
        "该决议共批准 {approved} 元，已被引用 {cited} 元",
    ),
    (
        "the items add up to the expense's amount",
        "各明细金额之和须等于支出总额",
    ),
    ("an item costs more than 0", "明细金额必须大于零"),
    (
        "a {status} expense cannot be {action}",
        "状态为“{status}”的支出不能改为“{action}”",
    ),
    (
        "the compound is not in this community; give only the compound for a compound's fund",
        "该小区不属于此社区；小区资金请只填写小区",
    ),
    (
        "give the compound (or, for a community fund, the community)",
        "请填写小区（社区资金请填写社区）",
    ),
    (
        "an expense needs 1 to 9 approvals",
        "支出须有 1 至 9 人审批",
    ),
    (
        "a threshold is between 0 and 10^12 yuan",
        "限额须在 0 至 10^12 元之间",
    ),
    (
        "money cannot move in the future",
        "收支时间不能晚于当前时间",
    ),
    (
        "the household does not live in the fund's compound",
        "该住户不住在此资金所属的小区",
    ),
    (
        "a channel is cash_box, wechat, bank or other",
        "收付渠道须为 cash_box、wechat、bank 或 other",
    ),
    ("say why the entry is wrong", "请说明该笔记录错误的原因"),
    (
        "a reversal is not reversed; record the right entry instead",
        "冲正记录不能再冲正，请改为登记正确的记录",
    ),
    ("the fund is already closed", "该资金已关闭"),
    (
        "the fund still holds {balance} yuan; spend or return it first",
        "该资金尚有余额 {balance} 元，请先支出或退还",
    ),
    (
        "the password must have at least 10 characters",
        "密码至少需要 10 个字符",
    ),
    (
        "the password must have at most 1024 characters",
        "密码最多 1024 个字符",
    ),
    ("the password must not be only digits", "密码不能全为数字"),
    (
        "the password must not be the username",
        "密码不能与用户名相同",
    ),
    (
        "the access token has expired",
        "访问令牌已过期，请刷新后重试",
    ),
    ("the access token is not valid", "访问令牌无效"),
    (
        "only a platform admin creates street offices",
        "只有平台管理员可以创建街道办事处",
    ),
    (
        "a division code has 9 or 12 digits",
        "行政区划代码为 9 位或 12 位数字",
    ),
    (
        "a street office with this name exists",
        "已有同名的街道办事处",
    ),
    (
        "only an admin of the street office creates its communities",
        "只有该街道办事处的管理员可以创建社区",
    ),
    (
        "this street office has a community with this name",
        "该街道办事处已有同名社区",
    ),
    ("log in first", "请先登录"),
    (
        "first must be between 0 and {max}",
        "first 须在 0 至 {max} 之间",
    ),
    ("not a cursor from this list", "该游标不属于此列表"),
    ("object not found", "未找到该对象"),
    ("at most {max} IDs", "一次最多查询 {max} 个 ID"),
    (
        "a community has at most {max} request categories",
        "每个社区最多设置 {max} 个诉求类别",
    ),
    (
        "introspection is disabled on this server",
        "本服务器已关闭内省查询",
    ),
    (
        "Maximum introspection depth exceeded: `fields`, `interfaces`, `possibleTypes` and `inputFields` may nest at most twice",
        "内省查询嵌套过深：`fields`、`interfaces`、`possibleTypes` 和 `inputFields` 最多嵌套两层",
    ),
    (
        "the query is nested {depth} levels deep; at most {max} are allowed",
        "查询嵌套了 {depth} 层，最多允许 {max} 层",
    ),
    (
        "the query uses {aliases} aliases; at most {max} are allowed",
        "查询使用了 {aliases} 个别名，最多允许 {max} 个",
    ),
    (
        "open a WebSocket here, with the graphql-transport-ws subprotocol",
        "请在此建立 WebSocket 连接，并使用 graphql-transport-ws 子协议",
    ),
    (
        "use the graphql-transport-ws subprotocol",
        "请使用 graphql-transport-ws 子协议",
    ),
    ("file not found", "未找到该文件"),
    ("log in to download files", "请先登录再下载文件"),
    (
        "send the request as application/json, or multipart/form-data to upload files",
        "请以 application/json 格式发送请求，上传文件请使用 multipart/form-data",
    ),
    (
        "the request body exceeds {limit} bytes",
        "请求内容超过 {limit} 字节",
    ),
    ("the body is not valid JSON", "请求内容不是有效的 JSON"),
    (
        "batched requests are not supported; send one operation per request",
        "不支持批量请求，每个请求只能包含一个操作",
    ),
    (
        "the body must be an object with a string `query` (or `extensions.persistedQuery`), and optional `variables`, `operationName`, `extensions`",
        "请求内容须为包含字符串 `query`（或 `extensions.persistedQuery`）的对象，可选 `variables`、`operationName`、`extensions`",
    ),
    (
        "`extensions` is not a JSON object",
        "`extensions` 不是 JSON 对象",
    ),
    (
        "this server runs only its registered documents (trusted documents), and this one is not registered",
        "本服务只执行已登记的查询文档（可信文档），该文档未登记",
    ),
    (
        "`extensions.persistedQuery` must hold `version` 1 and the query's `sha256Hash`",
        "`extensions.persistedQuery` 须包含 `version` 1 和查询的 `sha256Hash`",
    ),
    (
        "only version 1 of `extensions.persistedQuery` is supported",
        "仅支持第 1 版 `extensions.persistedQuery`",
    ),
    (
        "`sha256Hash` must be the SHA-256 of the query in hex (64 characters)",
        "`sha256Hash` 须为查询的 SHA-256 十六进制值（64 个字符）",
    ),
    ("malformed query string", "查询字符串格式错误"),
    ("missing `query` parameter", "缺少 `query` 参数"),
    ("mutations are sent with POST", "变更操作须使用 POST 发送"),
    (
        "`variables` is not a JSON object",
        "`variables` 不是 JSON 对象",
    ),
    (
        "use Authorization: Bearer <accessToken>",
        "请使用 Authorization: Bearer <accessToken>",
    ),
    (
        "subscriptions are served over WebSocket at /graphql/ws (graphql-transport-ws)",
        "订阅请通过 WebSocket 连接 /graphql/ws（graphql-transport-ws 协议）",
    ),
    (
        "{method} is not supported; use GET or POST",
        "不支持 {method} 方法，请使用 GET 或 POST",
    ),
    (
        "accept application/json or application/graphql-response+json",
        "Accept 须为 application/json 或 application/graphql-response+json",
    ),
    (
        "the upload exceeds {limit} bytes",
        "上传内容超过 {limit} 字节",
    ),
    (
        "not a GraphQL multipart request: send `operations`, `map`, then the files",
        "不是 GraphQL 文件上传请求：请依次发送 `operations`、`map` 和文件",
    ),
    (
        "`operations` must be an object with a string `query`",
        "`operations` 须为包含字符串 `query` 的对象",
    ),
    (
        "at most {max} files a request; this one has {files}",
        "每个请求最多 {max} 个文件，本请求有 {files} 个",
    ),
    (
        "only a passed motion (a resolution) is put on notice",
        "只有已通过的议案（决议）才能公示",
    ),
    ("a notice lasts 1 to 90 days", "公示期为 1 至 90 天"),
    (
        "objections are lodged while the resolution is on notice",
        "只能在决议公示期间提出异议",
    ),
    (
        "only residents of the compound object",
        "只有本小区居民可以提出异议",
    ),
    (
        "an objection has 2 to 2000 characters",
        "异议内容为 2 至 2000 个字",
    ),
    ("objection not found", "未找到该异议"),
    ("write an answer", "请填写答复"),
    ("motion not found", "未找到该议案"),
    ("the meeting is cancelled", "该会议已取消"),
    (
        "owners vote per compound (art. 278); a community's meeting consults its households",
        "业主表决以小区为单位（民法典第二百七十八条）；社区会议征询住户意见",
    ),
    (
        "households decide by a SIMPLE majority; owners by ORDINARY or SPECIAL (art. 278)",
        "住户表决采用 SIMPLE（简单多数）；业主表决采用 ORDINARY 或 SPECIAL（民法典第二百七十八条）",
    ),
    (
        "the motion is {current}, not {status}",
        "该议案状态为“{current}”，而非“{status}”",
    ),
    (
        "voting closes in the future, within {days} days",
        "投票截止时间须晚于当前时间，且在 {days} 天之内",
    ),
    (
        "nobody in the compound can vote on this motion: register its residents or owners first",
        "该小区无人可对此议案投票，请先登记居民或业主",
    ),
    ("voting on this motion is not open", "该议案尚未开放投票"),
    (
        "only owners of the compound's dwellings vote on this motion",
        "只有本小区房屋的业主可以对此议案投票",
    ),
    (
        "only the compound's households vote on this motion",
        "只有本小区住户可以对此议案投票",
    ),
    ("voter not found", "未找到该投票人"),
    ("the voting window is still open", "投票尚未截止"),
    (
        "no passed resolution with this id exists in the compound",
        "本小区没有该编号的已通过决议",
    ),
    ("meeting not found", "未找到该会议"),
    (
        "only the compound's committee and the community's staff run its meetings",
        "只有本小区自管会和社区工作人员可以组织会议",
    ),
    (
        "only the community's staff do this",
        "只有社区工作人员可以进行此操作",
    ),
    (
        "the minutes of a community's meeting are kept by its staff",
        "社区会议的会议记录由社区工作人员填写",
    ),
    (
        "the minutes are kept by the committee's secretary or the community's staff",
        "会议记录由自管会秘书或社区工作人员填写",
    ),
    (
        "only organisers see the electorate",
        "只有会议组织者可以查看投票人名单",
    ),
    (
        "{missing} dwellings of the compound have no registered floor area; an owners' vote counts area",
        "本小区有 {missing} 套房屋未登记建筑面积，业主表决需按面积计票",
    ),
    (
        "give a compound, or a community for a meeting of the whole community",
        "请填写小区；全社区会议请填写社区",
    ),
    (
        "a {status} meeting cannot become {to}",
        "状态为“{status}”的会议不能改为“{to}”",
    ),
    ("the meeting is {status}", "该会议状态为“{status}”"),
    (
        "sign-in is possible while the meeting is open",
        "只能在会议进行中签到",
    ),
    (
        "only residents of the compound or community sign in",
        "只有本小区或本社区居民可以签到",
    ),
    ("already signed in", "已签到"),
    (
        "minutes have 1 to 50000 characters",
        "会议记录为 1 至 50000 个字",
    ),
    (
        "the minutes were just changed; reload and edit again",
        "会议记录刚被修改，请刷新后重新编辑",
    ),
    (
        "minutes are published once the meeting is closed",
        "会议结束后才能公布会议记录",
    ),
    ("write the minutes first", "请先填写会议记录"),
    (
        "only admins read the audit log",
        "只有管理员可以查看审计日志",
    ),
    ("the file is empty", "文件为空"),
    ("a file may have at most {max} bytes", "文件最大 {max} 字节"),
    (
        "only JPEG, PNG, WebP photos and PDF files are accepted",
        "只接受 JPEG、PNG、WebP 图片和 PDF 文件",
    ),
    (
        "the resident does not live in this compound; say why they may serve anyway",
        "该居民不住在本小区，请说明其仍可任职的理由",
    ),
    (
        "a position lies within the term, {from} to {to}",
        "职务期限须在本届任期内（{from} 至 {to}）",
    ),
    (
        "a position ends on or after it starts, and not in the past",
        "职务结束日期不能早于开始日期，也不能早于今天",
    ),
    (
        "a building leader answers for a building",
        "楼栋长须对应一栋楼",
    ),
    (
        "only building leaders name a building",
        "只有楼栋长需要指定楼栋",
    ),
    (
        "someone holds this position for these days; end that position first",
        "这段时间该职务已有人担任，请先结束其任职",
    ),
    ("position not found", "未找到该职务"),
    ("say why the position ends", "请说明职务结束的原因"),
    ("committee not found", "未找到该自管会"),
    (
        "only the community's admins and staff set up committees and appoint members",
        "只有社区管理员和工作人员可以设立自管会并任命成员",
    ),
    (
        "only the compound's residents and committee, and the community's staff, see its committee",
        "只有本小区居民、自管会成员和社区工作人员可以查看自管会",
    ),
    ("a threshold is not negative", "限额不能为负数"),
    ("a public notice lasts 1 to 90 days", "公示期为 1 至 90 天"),
    (
        "a term ends on or after the day it starts",
        "任期结束日期不能早于开始日期",
    ),
    ("a term lasts at most five years", "任期最长五年"),
    ("the compound already has a committee", "该小区已有自管会"),
    (
        "the current term runs until {until}; the next starts after it",
        "本届任期至 {until}，下一届须在此之后开始",
    ),
    (
        "not a mainland mobile or landline number",
        "不是有效的大陆手机或固定电话号码",
    ),
    ("not a CSV or XLSX file", "不是 CSV 或 XLSX 文件"),
    (
        "only community staff and grid workers export residents",
        "只有社区工作人员和网格员可以导出居民信息",
    ),
    (
        "only the community's admins and staff export unmasked data",
        "只有社区管理员和工作人员可以导出未脱敏数据",
    ),
    ("state why you need full data", "请说明需要完整数据的理由"),
    (
        "the roster needs the columns {missing}; found: {found}",
        "台账须包含以下列：{missing}；现有列：{found}",
    ),
    (
        "someone registered some of these people or homes at the same moment; import the file again",
        "有人同时登记了其中部分人员或房屋，请重新导入文件",
    ),
    (
        "the roster names a building twice in different ways, or an archived building",
        "台账中同一楼栋有两种不同写法，或包含已归档的楼栋",
    ),
    ("maxAge is at least minAge", "maxAge 不能小于 minAge"),
    ("an age is at most 150", "年龄不能超过 150 岁"),
    (
        "this community has a grid with this name",
        "本社区已有同名网格",
    ),
    (
        "only the community's admins define its grids",
        "只有社区管理员可以划分网格",
    ),
    ("give 1 to 500 buildings", "请选择 1 至 500 栋楼"),
    (
        "building {number} is in another community",
        "{number} 楼属于其他社区",
    ),
    (
        "archived buildings join no grid",
        "已归档的楼栋不能划入网格",
    ),
    ("the building is in no grid", "该楼栋未划入任何网格"),
    (
        "only the community's admins and staff keep its registry",
        "只有社区管理员和工作人员可以维护登记信息",
    ),
    (
        "this community has a compound with this name",
        "本社区已有同名小区",
    ),
    (
        "this compound has a building with this number",
        "本小区已有相同楼号的楼栋",
    ),
    ("the compound is already archived", "该小区已归档"),
    ("a building has 1 to 50 units", "每栋楼有 1 至 50 个单元"),
    ("a building has 1 to 200 floors", "每栋楼有 1 至 200 层"),
    ("the building is archived", "该楼栋已归档"),
    ("the building is already archived", "该楼栋已归档"),
    (
        "only the community's admins and staff see owners",
        "只有社区管理员和工作人员可以查看业主信息",
    ),
    (
        "give either residentId or outsideName",
        "请填写 residentId 或 outsideName 之一",
    ),
    (
        "unknown tag {tag}; known: {known}",
        "未知标签“{tag}”；可用标签：{known}",
    ),
    (
        "a move-in date is not in the future",
        "入住日期不能晚于今天",
    ),
    ("invalid resident", "居民信息有误"),
    (
        "only the community's admins and staff record owners",
        "只有社区管理员和工作人员可以登记业主",
    ),
    ("the dwelling is archived", "该房屋已归档"),
    (
        "the resident already owns this dwelling",
        "该居民已是此房屋的业主",
    ),
    (
        "an owner with this document number already owns this dwelling",
        "持此证件号码的业主已拥有此房屋",
    ),
    ("owner not found", "未找到该业主"),
    ("this ownership has already ended", "该产权关系已结束"),
    (
        "The document number is empty. (证件号码为空)",
        "证件号码为空。",
    ),
    (
        "This number was turned into scientific notation by Excel (like 1.10105E+17), which loses digits. In Excel, format the column as Text, then re-enter the full number from the document. (证件号码被Excel转换)",
        "证件号码被 Excel 转换成了科学计数法（如 1.10105E+17），部分数字已丢失。请在 Excel 中将该列设为“文本”格式，再按证件重新输入完整号码。",
    ),
    (
        "This number ends in 000 and fails its check: Excel stored it as a number and replaced the last digits with zeros. In Excel, format the column as Text, then re-enter the full number from the document. (证件号码被Excel转换)",
        "证件号码以 000 结尾且校验不通过：Excel 将其存为数字，末几位被替换成了 0。请在 Excel 中将该列设为“文本”格式，再按证件重新输入完整号码。",
    ),
    (
        "This number has a decimal ending such as \".0\" added by Excel, which treated it as a number. In Excel, format the column as Text, then re-enter the full number from the document. (证件号码被Excel转换)",
        "证件号码末尾被 Excel 加上了“.0”之类的小数，Excel 把它当成了数字。请在 Excel 中将该列设为“文本”格式，再按证件重新输入完整号码。",
    ),
    (
        "The number must be 18 characters long, but it has 15. A 15-digit number is an old-style ID card; choose that type. (证件号码位数错误)",
        "证件号码位数错误：应为 18 位，实际为 15 位。15 位号码是旧版身份证，请选择该证件类型。",
    ),
    (
        "The number must be 15 characters long, but it has 18. An 18-digit number is a current ID card; choose that type. (证件号码位数错误)",
        "证件号码位数错误：应为 15 位，实际为 18 位。18 位号码是现行身份证，请选择该证件类型。",
    ),
    (
        "The number must be {expected} characters long, but it has {found}. (证件号码位数错误)",
        "证件号码位数错误：应为 {expected} 位，实际为 {found} 位。",
    ),
    (
        "A passport number must be {min} to {max} letters and digits long, but it has {found}. (护照号码长度错误)",
        "护照号码长度错误：应为 {min} 至 {max} 位字母或数字，实际为 {found} 位。",
    ),
    (
        "The number contains characters that are not allowed: ID numbers are digits with an optional final X, passport numbers are letters and digits only. (证件号码含有非法字符)",
        "证件号码含有非法字符：身份证号码为数字，末位可以是 X；护照号码只能包含字母和数字。",
    ),
    (
        "The birth date inside the number is not valid (not a real date, in the future, or before 1890). Check the date digits. (出生日期无效)",
        "证件号码中的出生日期无效（日期不存在、晚于今天或早于 1890 年），请检查日期部分。",
    ),
    (
        "The number fails its check-character test (the last character would have to be {expected}, not {found}), so at least one digit was mistyped. Check every digit against the document; do not just change the last character. (校验码错误)",
        "证件号码校验码错误（末位应为 {expected}，而不是 {found}），说明至少有一位数字输错了。请对照证件逐位核对，不要只修改末位。",
    ),
    (
        "The number does not start with a valid region code (the first digit must be 1 to 8). (地区码无效)",
        "证件号码开头的地区码无效（首位须为 1 至 8）。",
    ),
    (
        "A Hong Kong, Macau or Taiwan residence permit number must start with 810000, 820000 or 830000. For a mainland ID card, choose that document type instead. (港澳台居民居住证号码无效)",
        "港澳台居民居住证号码无效：须以 810000、820000 或 830000 开头。如是大陆居民身份证，请选择该证件类型。",
    ),
    (
        "A number was entered but the document type is \"none\". Choose the document type, or clear the number. (未选择证件类型)",
        "未选择证件类型，但填写了证件号码。请选择证件类型，或清空号码。",
    ),
    (
        "only the community's admins and staff import rosters",
        "只有社区管理员和工作人员可以导入台账",
    ),
    (
        "this binding code is not valid: it may be mistyped, used or expired; ask your community for a new one",
        "绑定码无效：可能输错、已使用或已过期，请向社区重新申领",
    ),
    ("the resident has moved out", "该居民已迁出"),
    ("the resident already has an account", "该居民已有账号"),
    (
        "this login is already linked to a resident",
        "该账号已绑定居民",
    ),
    (
        "only community staff, grid workers and the household itself read residents",
        "只有社区工作人员、网格员和本户成员可以查看居民信息",
    ),
    (
        "this person is already a current resident (same document number, or same name in the household)",
        "此人已登记为现有居民（证件号码相同，或同户中姓名相同）",
    ),
    (
        "a resident of this community has this document number",
        "本社区已有居民使用该证件号码",
    ),
    (
        "the household already has a head; change that resident's relation first",
        "该户已有户主，请先修改原户主的关系",
    ),
    ("that household has moved out", "该住户已迁出"),
    ("state why you need to see it", "请说明查看理由"),
    ("the resident has already moved out", "该居民已迁出"),
    (
        "a move-out date is between the move-in date and today",
        "迁出日期须在入住日期与今天之间",
    ),
    (
        "only the community's admins and staff keep its residents",
        "只有社区管理员和工作人员可以维护居民信息",
    ),
    (
        "only community staff, grid workers and the household itself read households",
        "只有社区工作人员、网格员和本户成员可以查看住户信息",
    ),
    (
        "only the community's admins and staff",
        "只有社区管理员和工作人员可以进行此操作",
    ),
    (
        "{count} residents match; an export holds at most {max}",
        "符合条件的居民有 {count} 人，每次最多导出 {max} 人",
    ),
    (
        "this building has a dwelling with this unit and room",
        "该楼栋已有相同单元和房号的房屋",
    ),
    (
        "building {number} has units 1 to {units}",
        "{number} 楼的单元号为 1 至 {units}",
    ),
    (
        "a floor area is above 0 and at most 100000.00 m²",
        "建筑面积须大于 0，且不超过 100000.00 平方米",
    ),
    ("the dwelling is already archived", "该房屋已归档"),
    (
        "say why this household needs a different care level",
        "请说明调整该户关怀等级的理由",
    ),
    ("a reason is at most 500 characters", "理由最多 500 个字"),
    ("give a household or a building", "请填写住户或楼栋"),
    (
        "residents file APP requests themselves with submitRequest",
        "APP 诉求须由居民本人通过 submitRequest 提交",
    ),
    ("give the WeChat message as posted", "请按原文填写微信消息"),
    ("give the 12345 ticket number", "请填写 12345 工单号"),
    (
        "only community staff add categories",
        "只有社区工作人员可以添加分类",
    ),
    (
        "2 to 30 letters a-z or _",
        "须为 2 至 30 个小写字母 a-z 或下划线",
    ),
    ("1 hour to 90 days", "须在 1 小时至 90 天之间"),
    (
        "a request is resolved no sooner than it is first answered: give at least the first-response hours",
        "办结时限不能短于首次响应时限，请至少填写首次响应的小时数",
    ),
    ("the community has this category", "本社区已有该分类"),
    ("request not found", "未找到该诉求"),
    ("no such category in the community", "本社区没有该分类"),
    (
        "only grid workers are assigned requests",
        "诉求只能分派给网格员",
    ),
    (
        "only the grid worker and community staff reply to requests",
        "只有网格员和社区工作人员可以回复诉求",
    ),
    ("1 to 2000 characters", "须为 1 至 2000 个字"),
    ("the request was not referred", "该诉求未转办"),
    ("write the department's reply", "请填写部门答复"),
    (
        "only who filed a request rates it",
        "只有诉求提交人可以评价",
    ),
    (
        "a request is rated once, after it is resolved",
        "诉求解决后才能评价，且只能评价一次",
    ),
    ("1 to 5 stars", "评分为 1 至 5 星"),
    (
        "only community staff and the grid's leader reassign requests",
        "只有社区工作人员和本网格的网格长可以改派诉求",
    ),
    ("not a grid worker of the community", "不是本社区的网格员"),
    (
        "12345 ticket {ticket} is already recorded as request \"{title}\" ({id}); add to that request instead",
        "12345 工单 {ticket} 已登记为诉求“{title}”（{id}），请在该诉求中补充",
    ),
    (
        "only community staff record requests on a resident's behalf",
        "只有社区工作人员可以代居民登记诉求",
    ),
    ("at most 5000 characters", "最多 5000 个字"),
    (
        "this 12345 ticket was recorded at the same moment",
        "该 12345 工单刚刚已被登记",
    ),
    (
        "only who filed a request reopens it",
        "只有诉求提交人可以重新打开诉求",
    ),
    (
        "only the grid worker and community staff handle requests",
        "只有网格员和社区工作人员可以处理诉求",
    ),
    (
        "a request that is {status} cannot be moved so",
        "状态为“{status}”的诉求不能进行此操作",
    ),
    ("tell the resident what was done", "请告知居民处理结果"),
    ("say why it is rejected", "请说明驳回理由"),
    ("name the original request", "请指明原诉求"),
    ("no such request", "没有该诉求"),
    (
        "not another request of the community",
        "不是本社区的其他诉求",
    ),
    (
        "a request is reopened within {days} days of its resolution",
        "诉求须在解决后 {days} 天内重新打开",
    ),
    (
        "only community staff and grid workers see who has read it",
        "只有社区工作人员和网格员可以查看阅读情况",
    ),
    (
        "only community staff publish announcements",
        "只有社区工作人员可以发布公告",
    ),
    (
        "building {unknown} is not in the announcement's community or compound",
        "楼栋 {unknown} 不在该公告的社区或小区内",
    ),
    (
        "an announcement is valid until a future time",
        "公告有效期须晚于当前时间",
    ),
    ("1 to 5000 characters", "须为 1 至 5000 个字"),
    ("announcement not found", "未找到该公告"),
    (
        "only residents it reaches mark it read",
        "只有公告范围内的居民可以标记已读",
    ),
    ("already read", "已读"),
    ("mediation case not found", "未找到该调解案件"),
    (
        "only community staff open mediation cases",
        "只有社区工作人员可以立案调解",
    ),
    ("a dispute has at least two parties", "纠纷至少有两方当事人"),
    ("no such household in the community", "本社区没有该住户"),
    ("no such resident in the community", "本社区没有该居民"),
    ("name at least one mediator", "请至少指定一名调解员"),
    ("the case is closed", "该案件已结案"),
    ("the case is already closed", "该案件已结案"),
    ("write down what was agreed", "请填写调解协议内容"),
    (
        "only the grid worker and community staff follow up on requests",
        "只有网格员和社区工作人员可以回访诉求",
    ),
    (
        "follow up once the request is resolved",
        "诉求解决后才能回访",
    ),
    ("before the request was resolved", "早于诉求解决时间"),
    (
        "the request was already followed up since it was resolved",
        "该诉求解决后已回访过",
    ),
    (
        "the request is about a building, not a household: follow up by phone or WeChat",
        "该诉求针对楼栋而非住户，请通过电话或微信回访",
    ),
    (
        "the dashboard is for community staff and grid leaders",
        "工作台仅供社区工作人员和网格长使用",
    ),
    // Notifications (webhooks).
    (
        "photos go with a resolution: of the work done",
        "照片随办结一起上传：拍下处理结果",
    ),
    (
        "only staff and grid workers publish a work phone",
        "只有社区工作人员和网格员可以公开工作电话",
    ),
    (
        "only the community's admins set its office details",
        "只有社区管理员可以设置社区办公信息",
    ),
    (
        "the party secretary must work in the community",
        "社区书记须是本社区的工作人员",
    ),
    ("not a URL", "不是有效的网址"),
    ("the URL has no host", "网址缺少主机名"),
    (
        "the URL is longer than {max} characters",
        "网址不能超过 {max} 个字符",
    ),
    (
        "the URL must not carry a user name or password",
        "网址中不能包含用户名或密码",
    ),
    (
        "the URL must start with https://",
        "网址必须以 https:// 开头",
    ),
    (
        "the URL points to a private or local address",
        "网址指向内网或本机地址，不允许推送",
    ),
    ("webhook delivery not found", "未找到该推送记录"),
    ("webhook subscription not found", "未找到该推送订阅"),
    (
        "a community has at most {max} webhook subscriptions",
        "每个社区最多 {max} 个推送订阅",
    ),
    ("choose at least one event type", "请至少选择一种事件"),
    ("no such compound in this community", "本社区没有这个小区"),
    ("no such grid in this community", "本社区没有这个网格"),
    (
        "only the community's admins manage its webhooks",
        "只有社区管理员可以管理推送订阅",
    ),
    (
        "test deliveries are sent with sendTestWebhook, not subscribed to",
        "测试推送请用“发送测试”，不能订阅",
    ),
    (
        "this delivery is being sent right now",
        "这条推送正在发送中，请稍后再试",
    ),
    // Family contacts (家属联系人).
    ("family contact not found", "未找到该家属联系人"),
    (
        "a family contact's role comes with their login: use createFamilyContactAccount",
        "家属联系人角色随其账号授予，请通过“为家属联系人开通账号”办理",
    ),
    (
        "this grant comes from a family contact; remove the family contact instead",
        "该授权来自家属联系人，请改为移除该家属联系人",
    ),
    (
        "this family contact may not answer consultations for the household",
        "该家属联系人未获授权代本户参与意见征询",
    ),
    (
        "question {position} must be answered",
        "第 {position} 题为必答题",
    ),
    (
        "only residents the consultation is put to leave suggestions",
        "只有征集范围内的居民可以提出建议",
    ),
    (
        "only the community's staff and the compound's committee run a consultation",
        "只有社区工作人员和本小区自管会可以组织意见征集",
    ),
    (
        "the results are hidden until the consultation closes",
        "征集结束前不公开结果",
    ),
    (
        "this consultation is not put to a household or resident you answer for",
        "该意见征集不面向您可代为答复的住户或居民",
    ),
    (
        "a building named is not in the consultation's community or compound",
        "所选楼栋不在该意见征集的社区或小区内",
    ),
    (
        "a choice has 2 to {max} options",
        "选择题需有 2 至 {max} 个选项",
    ),
    (
        "a closed or cancelled consultation no longer changes",
        "已结束或已取消的意见征集不能再修改",
    ),
    (
        "a consultation asks 1 to {max} questions",
        "意见征集需包含 1 至 {max} 道题目",
    ),
    (
        "a consultation closes after it opens",
        "截止时间须晚于开始时间",
    ),
    (
        "a consultation closes in the future",
        "截止时间须晚于当前时间",
    ),
    ("a question is answered once", "同一题目只能作答一次"),
    ("a scale answer is 1 to 5", "评分须为 1 至 5 分"),
    ("between 1 and the number of options", "须在 1 与选项数之间"),
    ("between 1 and {max} characters", "须在 1 至 {max} 个字之间"),
    ("choose at most {max} options", "最多选择 {max} 项"),
    (
        "choose options of this question, each once",
        "请选择本题的选项，每项只能选一次",
    ),
    ("consultation not found", "未找到该意见征集"),
    (
        "not a question of this consultation",
        "不是该意见征集的题目",
    ),
    ("only a draft is published", "只有草稿可以发布"),
    ("only choice questions have options", "只有选择题设有选项"),
    ("question not found", "未找到该题目"),
    (
        "results are published once, after the consultation closes",
        "结果须在征集结束后发布，且只能发布一次",
    ),
    ("suggestion not found", "未找到该建议"),
    (
        "the questions are fixed once someone has answered",
        "已有人作答，题目不能再修改",
    ),
    ("the results are not open to you yet", "结果尚未向您公开"),
    (
        "this consultation is not open",
        "该意见征集当前不在征集期内",
    ),
    (
        "this consultation is not put to that household or resident",
        "该意见征集不面向该住户或居民",
    ),
    ("this suggestion is already adopted", "该建议已被采纳"),
    (
        "this unit's answer was just recorded; try again",
        "该户（人）的答复刚刚已被记录，请重试",
    ),
    (
        "you answer for several; name the household or resident",
        "您可代多个住户或居民答复，请指明为谁答复",
    ),
    (
        "you do not answer this consultation for that household or resident",
        "您不能代该住户或居民答复此意见征集",
    ),
    (
        "this family contact may not sign the resident in to meetings",
        "该家属联系人未获授权代居民会议签到",
    ),
    (
        "this family contact does not receive the household's notices",
        "该家属联系人未获授权接收本户通知",
    ),
    (
        "only the community's staff and the resident's household keep family contacts",
        "只有社区工作人员和居民本户可以管理家属联系人",
    ),
    (
        "an owners' vote (Civil Code art. 278) is cast by the owner, not by a family contact",
        "业主表决（民法典第二百七十八条）须由业主本人投票，家属联系人不能代投",
    ),
    (
        "the family contact already has an account",
        "该家属联系人已开通账号",
    ),
    (
        "this login already speaks for a family contact",
        "该账号已关联其他家属联系人",
    ),
    // Grid leaders and micro-grids.
    (
        "not a grid worker of a grid you lead",
        "不是您所负责网格的网格员",
    ),
    ("micro-grid not found", "未找到该微网格"),
    ("the micro-grid is archived", "该微网格已归档"),
    (
        "only the community's admins and staff and the grid's leader define micro-grids",
        "只有社区管理员、社区工作人员和本网格的网格长可以设置微网格",
    ),
    ("name at least one building", "请至少指定一栋楼"),
    (
        "the grid does not cover this building",
        "该楼栋不在本网格内",
    ),
    ("the building has no such unit", "该楼栋没有这个单元"),
    (
        "only the micro-grid's leader, its grid's workers and the community's staff see its households",
        "只有微网格长、本网格的网格员和社区工作人员可以查看该微网格的住户",
    ),
    // Points (积分).
    (
        "a batch awards at most {max} households",
        "一次批量发放积分最多 {max} 户",
    ),
    ("a cap is at least 1 point", "上限至少为 1 分"),
    (
        "a compound's points ranking is for its residents and community staff",
        "小区积分排行仅供本小区居民和社区工作人员查看",
    ),
    (
        "a household's points are for community staff, its grid worker and the household",
        "住户积分仅供社区工作人员、该户网格员和本户居民查看",
    ),
    ("a memo is at most {max} characters", "备注最多 {max} 个字"),
    (
        "a monthly cap is at least the daily cap",
        "每月上限不能低于每日上限",
    ),
    (
        "a price is 1 to {max} points",
        "兑换所需积分为 1 至 {max} 分",
    ),
    ("a quantity is 1 to {max}", "数量为 1 至 {max}"),
    (
        "a source key is 1 to 200 characters",
        "来源标识为 1 至 200 个字符",
    ),
    ("a stock is 0 to {max}", "库存为 0 至 {max}"),
    (
        "my points are for residents with a login",
        "“我的积分”仅供已开通账号的居民查看",
    ),
    ("name a household or a resident", "请指定一户或一位居民"),
    ("name at least one household", "请至少指定一户"),
    (
        "only community staff manage points rules and rewards",
        "只有社区工作人员可以管理积分规则和兑换奖品",
    ),
    (
        "only community staff redeem rewards",
        "只有社区工作人员可以办理积分兑换",
    ),
    (
        "only community staff reverse points entries",
        "只有社区工作人员可以冲正积分记录",
    ),
    ("points account not found", "未找到该积分账户"),
    ("points are 1 to {max}", "积分为 1 至 {max} 分"),
    (
        "points are awarded by community staff, the household's grid worker or its micro-grid leader",
        "积分由社区工作人员、该户网格员或微网格长发放",
    ),
    ("points entry not found", "未找到该积分记录"),
    (
        "points have been awarded in this community; the unit can no longer change",
        "本社区已发放过积分，积分单位不能再更改",
    ),
    ("points rule not found", "未找到该积分规则"),
    ("reward not found", "未找到该兑换奖品"),
    (
        "the account does not hold the {cost} points this takes",
        "账户积分不足 {cost} 分，无法兑换",
    ),
    (
        "the account holds {balance} points; this would take it below zero",
        "账户现有 {balance} 分，此操作将使积分低于零",
    ),
    (
        "the community already has an active rule for this trigger; archive it first",
        "本社区已有该类别的有效积分规则，请先停用",
    ),
    (
        "the household has no head registered; award one of its residents",
        "该户未登记户主，请直接给该户的居民发放",
    ),
    ("the points rule is archived", "该积分规则已停用"),
    (
        "the reward holds fewer items than that",
        "该奖品库存不足以扣减",
    ),
    ("the reward is archived", "该兑换奖品已下架"),
    ("the reward is out of stock", "该兑换奖品库存不足"),
    (
        "the rule's cap is reached for this account; nothing was awarded",
        "该账户已达到此规则的积分上限，本次未发放积分",
    ),
    (
        "this quantity earns no points under the rule",
        "按此规则，该数量不足以获得积分",
    ),
    ("too many points", "积分数额过大"),
];

/// Words that fill a placeholder marked `Term` (statuses, what a date belongs to).
const TERMS: &[(&str, &str)] = &[
    ("draft", "草稿"),
    ("submitted", "已提交"),
    ("approved", "已批准"),
    ("rejected", "已驳回"),
    ("paid", "已支付"),
    ("cancelled", "已取消"),
    ("scheduled", "待召开"),
    ("open", "进行中"),
    ("closed", "已结束"),
    ("voting", "投票中"),
    ("passed", "已通过"),
    ("failed", "未通过"),
    ("new", "待受理"),
    ("acknowledged", "已受理"),
    ("in_progress", "处理中"),
    ("resolved", "已解决"),
    ("referred", "已转办"),
    ("duplicate", "重复"),
    ("reopened", "已重新打开"),
    ("the message", "该消息"),
    ("a follow-up", "回访"),
    ("a visit", "走访"),
    ("a check-in", "关爱打卡"),
    ("an award", "积分发放"),
    ("the event", "该事件"),
];

static ZH_INDEX: LazyLock<HashMap<&str, &str>> = LazyLock::new(|| ZH.iter().copied().collect());
static TERM_INDEX: LazyLock<HashMap<&str, &str>> =
    LazyLock::new(|| TERMS.iter().copied().collect());

pub(super) fn zh(template: &str) -> Option<&'static str> {
    ZH_INDEX.get(template).copied()
}

pub(super) fn zh_term(word: &str) -> Option<&'static str> {
    TERM_INDEX.get(word).copied()
}

#[cfg(test)]
mod tests;
