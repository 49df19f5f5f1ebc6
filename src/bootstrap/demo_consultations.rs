//! The demo's consultations (征集意见) in 和韵小区: one open, asking the households about a
//! lift for their building, with answers collected at the door and online, and
//! suggestions (one answered and adopted); one closed, anonymous satisfaction survey whose
//! results were published with what will be done.

use chrono::{Duration, Utc};
use entity::{app_user, building, compound, consultation, dwelling, household, role_grant};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Query, SelectStatement},
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    consultations::{
        answers::{self, Given},
        drafting::{self, Files, NewConsultation},
        publication,
        questions::NewQuestion,
        suggestions,
        types::{ConsultationUnit, QuestionKind},
    },
    crypto::DataKeys,
    error::{AppError, AppResult, msg},
    files::FileStore,
};

fn question(kind: QuestionKind, prompt: &str, options: &[&str]) -> NewQuestion {
    NewQuestion {
        kind,
        prompt: prompt.into(),
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        max_choices: (kind == QuestionKind::MultipleChoice).then_some(2),
        max_length: None,
        required: kind != QuestionKind::Text,
    }
}

/// Answers to the four questions: (option, options, scale, text).
fn given(questions: &[Uuid], single: i32, multiple: &[i32], scale: i32, text: &str) -> Vec<Given> {
    let mut out = vec![
        Given {
            question_id: questions[0],
            options: vec![single],
            ..Given::default()
        },
        Given {
            question_id: questions[1],
            options: multiple.to_vec(),
            ..Given::default()
        },
        Given {
            question_id: questions[2],
            scale: Some(scale),
            ..Given::default()
        },
    ];
    if !text.is_empty() {
        out.push(Given {
            question_id: questions[3],
            text: Some(text.into()),
            ..Given::default()
        });
    }
    out
}

async fn question_ids(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Vec<Uuid>> {
    Ok(entity::consultation_question::Entity::find()
        .filter(entity::consultation_question::Column::ConsultationId.eq(id))
        .order_by_asc(entity::consultation_question::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|q| q.id)
        .collect())
}

/// `resident_login`: a resident of the compound with a login (the treasurer), who answers
/// online and leaves suggestions.
pub async fn load(
    conn: &impl ConnectionTrait,
    keys: &DataKeys,
    files: &FileStore,
    admin: &Viewer,
    resident_login: &app_user::Model,
    compound: &compound::Model,
) -> AppResult<()> {
    let resident = Viewer {
        user_id: resident_login.id,
        username: resident_login.username.clone(),
        display_name: resident_login.display_name.clone(),
        session_id: Uuid::nil(),
        must_change_password: false,
        grants: role_grant::Entity::find()
            .filter(role_grant::Column::UserId.eq(resident_login.id))
            .filter(role_grant::Column::RevokedAt.is_null())
            .all(conn)
            .await?,
    };
    let own = resident.households_acted_for();
    let households: Vec<Uuid> = household::Entity::find()
        .select_only()
        .column(household::Column::Id)
        .filter(household::Column::DwellingId.in_subquery(dwellings_of(compound.id)))
        .filter(household::Column::ArchivedAt.is_null())
        .filter(household::Column::Id.is_not_in(own.clone()))
        .order_by_asc(household::Column::Id)
        .limit(8)
        .into_tuple()
        .all(conn)
        .await?;
    let files = Files {
        store: files,
        max_file_bytes: 0,
    };
    let now = Utc::now();
    let questions = || {
        vec![
            question(
                QuestionKind::SingleChoice,
                "您是否同意本楼加装电梯？",
                &["同意", "不同意", "无所谓"],
            ),
            question(
                QuestionKind::MultipleChoice,
                "您最关心哪些问题？（最多选两项）",
                &["费用分摊", "施工噪音", "低层采光", "日后维护"],
            ),
            question(
                QuestionKind::Scale,
                "您对目前上下楼的便利程度打几分？（1 很不方便，5 很方便）",
                &[],
            ),
            question(QuestionKind::Text, "其他意见和建议", &[]),
        ]
    };
    let lift = drafting::create(
        conn,
        admin,
        &files,
        NewConsultation {
            community_id: compound.community_id,
            compound_id: Some(compound.id),
            building_ids: Vec::new(),
            title: format!("{}加装电梯意见征集", compound.name),
            body: "为改善老年居民出行，社区拟协助有意愿的楼栋加装电梯。请每户于截止前答复一次，可随时修改；不方便上网的居民可由网格员上门登记纸质意见。".into(),
            opens_at: now - Duration::days(2),
            closes_at: now + Duration::days(12),
            anonymous: false,
            unit: ConsultationUnit::Household,
            hide_results_until_close: false,
            questions: questions(),
            attachments: Vec::new(),
        },
    )
    .await?
    .value;
    drafting::publish(conn, admin, lift.id).await?;
    let q = question_ids(conn, lift.id).await?;
    let door = [
        (0, &[0, 1][..], 2, "希望按楼层分摊费用"),
        (0, &[0][..], 1, ""),
        (1, &[2][..], 4, "一楼采光会受影响"),
        (0, &[3][..], 2, ""),
        (2, &[1][..], 3, ""),
    ];
    for (i, (household, (single, multiple, scale, text))) in households.iter().zip(door).enumerate()
    {
        answers::record_paper(
            conn,
            keys,
            admin,
            lift.id,
            *household,
            &format!("上门登记-{:03}", i + 1),
            given(&q, single, multiple, scale, text),
        )
        .await?;
    }
    answers::answer(
        conn,
        keys,
        &resident,
        lift.id,
        None,
        given(&q, 0, &[0, 3], 2, "支持，越快越好"),
    )
    .await?;
    let first = suggestions::suggest(conn, &resident, lift.id, "建议电梯井放在北侧，不挡南面采光")
        .await?
        .value;
    suggestions::reply(
        conn,
        admin,
        first.id,
        "已请设计单位按北侧方案出图，下周公示",
    )
    .await?;
    suggestions::adopt(conn, admin, first.id).await?;
    suggestions::suggest(conn, &resident, lift.id, "施工期间希望避开午休时间").await?;

    // A closed, anonymous survey with its result notice.
    let survey = drafting::create(
        conn,
        admin,
        &files,
        NewConsultation {
            community_id: compound.community_id,
            compound_id: Some(compound.id),
            building_ids: Vec::new(),
            title: "小区环境卫生满意度调查（匿名）".into(),
            body: "匿名调查：组织者看不到谁答了什么，结果在截止后公布。".into(),
            opens_at: now - Duration::days(20),
            closes_at: now + Duration::days(1),
            anonymous: true,
            unit: ConsultationUnit::Household,
            hide_results_until_close: true,
            questions: vec![
                question(
                    QuestionKind::SingleChoice,
                    "垃圾分类点的位置是否合适？",
                    &["合适", "不合适"],
                ),
                question(
                    QuestionKind::MultipleChoice,
                    "最需要改进的地方（最多两项）",
                    &["楼道卫生", "绿化养护", "宠物粪便", "垃圾清运"],
                ),
                question(
                    QuestionKind::Scale,
                    "总体满意度（1 很不满意，5 很满意）",
                    &[],
                ),
                question(QuestionKind::Text, "其他意见", &[]),
            ],
            attachments: Vec::new(),
        },
    )
    .await?
    .value;
    drafting::publish(conn, admin, survey.id).await?;
    let q = question_ids(conn, survey.id).await?;
    let views = [
        (0, &[2][..], 4, ""),
        (0, &[2, 0][..], 3, "遛狗不拴绳"),
        (1, &[3][..], 2, ""),
        (0, &[1][..], 4, ""),
    ];
    for (i, (household, (single, multiple, scale, text))) in
        households.iter().skip(3).zip(views).enumerate()
    {
        answers::record_paper(
            conn,
            keys,
            admin,
            survey.id,
            *household,
            &format!("问卷-{:03}", i + 1),
            given(&q, single, multiple, scale, text),
        )
        .await?;
    }
    // It closed five days ago (the demo is loaded at once; closing follows the time).
    let row = consultation::Entity::find_by_id(survey.id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("consultation not found")))?;
    let mut closed: consultation::ActiveModel = row.into();
    closed.closes_at = Set(now - Duration::days(5));
    closed.update(conn).await?;
    publication::publish_results(
        conn,
        admin,
        survey.id,
        "多数住户反映宠物粪便问题突出。下月起在小区入口增设两处拾便袋箱，网格员每周巡查，并在业主群倡导文明养犬。",
    )
    .await?;
    Ok(())
}

/// The dwellings of a compound's buildings.
fn dwellings_of(compound: Uuid) -> SelectStatement {
    let buildings = Query::select()
        .column(building::Column::Id)
        .from(building::Entity)
        .and_where(building::Column::CompoundId.eq(compound))
        .to_owned();
    Query::select()
        .column(dwelling::Column::Id)
        .from(dwelling::Entity)
        .and_where(dwelling::Column::BuildingId.in_subquery(buildings))
        .to_owned()
}
