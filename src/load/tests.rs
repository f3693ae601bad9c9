use super::target::Target;
use super::*;
use crate::config::TargetConfig;
use crate::model::{Field, OrgName, PersonName, Phone};
use std::path::Path;

fn target(crm: &str) -> Target {
    let config = TargetConfig {
        crm: crm.into(),
        crm_line: 1,
        mode: "files".into(),
        mode_line: 1,
        api_url: None,
        fields: Vec::new(),
        format: None,
        max_rows: None,
        max_mb: None,
        batch: None,
        rate_limit: None,
        load_on_run: false,
    };
    Target::from_config(&config, None, Path::new("golive.toml")).unwrap()
}

fn org(id: &str, name: &str, phone: &str) -> Record {
    let mut party = Party {
        kind: Kind::Organization,
        org: Some(OrgName {
            input: name.into(),
            name: name.into(),
            ..OrgName::default()
        }),
        ..Party::default()
    };
    if !name.is_empty() {
        party.original.insert(Field::Name, name.into());
    }
    if !phone.is_empty() {
        party.phones.push(Phone {
            input: phone.into(),
            e164: Some(phone.into()),
            valid: true,
            ..Phone::default()
        });
    }
    Record {
        golden_id: id.into(),
        party,
        existing: Vec::new(),
        source_members: 1,
        anchor: format!("src\u{1f}{id}"),
    }
}

fn person(id: &str, family: &str, given: &str) -> Record {
    let party = Party {
        kind: Kind::Person,
        person: Some(PersonName {
            family: family.into(),
            given: given.into(),
            ..PersonName::default()
        }),
        ..Party::default()
    };
    Record {
        golden_id: id.into(),
        party,
        existing: Vec::new(),
        source_members: 1,
        anchor: format!("src\u{1f}{id}"),
    }
}

fn row<'a>(p: &'a Plan, entity: Entity, id: &str) -> &'a PlanRow {
    p.rows
        .iter()
        .find(|r| r.entity == entity && r.golden_id == id)
        .unwrap_or_else(|| panic!("no {entity:?} {id} in {:#?}", p.rows))
}

/// The crosswalk a real load of `p` would leave.
fn loaded(t: &Target, p: &Plan) -> Vec<CrosswalkEntry> {
    p.rows
        .iter()
        .filter(|r| matches!(r.action, Action::Create | Action::Update))
        .map(|r| CrosswalkEntry {
            entity: r.entity.as_str().into(),
            golden_id: r.golden_id.clone(),
            target_id: if r.target_id.is_empty() {
                external_id(t, &r.golden_id)
            } else {
                r.target_id.clone()
            },
            id_kind: r.id_kind,
            hash: r.hash.clone(),
            anchor: r.anchor.clone(),
            action: r.action.as_str().into(),
            loaded_at: "t".into(),
        })
        .collect()
}

fn inputs(records: Vec<Record>, links: &[(&str, &str)]) -> Inputs {
    Inputs {
        records,
        person_organization: links
            .iter()
            .map(|(p, o)| (p.to_string(), o.to_string()))
            .collect(),
        ..Inputs::default()
    }
}

#[test]
fn a_second_plan_creates_nothing_and_a_changed_record_is_one_update() {
    let t = target("salesforce");
    let mut i = inputs(
        vec![
            org("G1", "Alpha", "+74950000001"),
            org("G2", "Beta", ""),
            person("G3", "Ivanov", "Ivan"),
        ],
        &[("G3", "G1")],
    );
    let first = plan(&t, &i);
    assert!(
        first.rows.iter().all(|r| r.action == Action::Create),
        "{first:#?}"
    );
    assert_eq!(row(&first, Entity::Link, "G3").target_id, "G1");
    i.crosswalk = loaded(&t, &first);
    let second = plan(&t, &i);
    assert!(second.rows.iter().all(|r| r.action == Action::Unchanged));

    i.records[1]
        .party
        .original
        .insert(Field::Notes, "new note".into());
    let third = plan(&t, &i);
    let changed: Vec<_> = third
        .rows
        .iter()
        .filter(|r| r.action != Action::Unchanged)
        .map(|r| (r.entity, r.golden_id.as_str(), r.action))
        .collect();
    assert_eq!(changed, [(Entity::Organization, "G2", Action::Update)]);
}

#[test]
fn a_person_who_moved_company_is_a_link_update_that_remembers_the_old_one() {
    let t = target("salesforce");
    let mut i = inputs(
        vec![
            org("G1", "Alpha", ""),
            org("G2", "Beta", ""),
            person("G3", "Ivanov", "Ivan"),
        ],
        &[("G3", "G1")],
    );
    let first = plan(&t, &i);
    i.crosswalk = loaded(&t, &first);
    i.person_organization.insert("G3".into(), "G2".into());
    let moved = plan(&t, &i);
    let link = row(&moved, Entity::Link, "G3");
    assert_eq!(link.action, Action::Update);
    assert_eq!(link.target_id, "G2");
    assert_eq!(link.values, ["G1"], "where it pointed before");
}

#[test]
fn records_already_in_the_target_are_updated_by_their_id_never_created() {
    let t = target("salesforce");
    let mut a = org("G1", "Alpha", "");
    a.existing = vec!["001A".into(), "001B".into()];
    a.source_members = 1;
    let mut only = org("G2", "Only There", "");
    only.existing = vec!["001C".into()];
    only.source_members = 0;
    let mut untouched = org("G4", "Nobody's", "");
    untouched.existing = vec!["001D".into()];
    untouched.source_members = 0;
    let p = plan(
        &t,
        &inputs(
            vec![a, only, person("G3", "Petrov", "Petr"), untouched],
            &[("G3", "G2")],
        ),
    );
    let g1 = row(&p, Entity::Organization, "G1");
    assert_eq!((g1.action, g1.target_id.as_str()), (Action::Update, "001A"));
    assert!(g1.reason.contains("001B"), "{}", g1.reason);
    // Salesforce links contacts by the account's external ID: the account only
    // in the target gets it, the one no contact points to stays as it is.
    let g2 = row(&p, Entity::Organization, "G2");
    assert_eq!((g2.action, g2.target_id.as_str()), (Action::Update, "001C"));
    assert_eq!(
        row(&p, Entity::Organization, "G4").action,
        Action::Unchanged
    );
    assert_eq!(row(&p, Entity::Link, "G3").target_id, "001C");

    // Odoo points to the company by its own key: nothing to write on it.
    let odoo = target("odoo");
    let mut only = org("G2", "Only There", "");
    only.existing = vec!["__export__.res_partner_7".into()];
    only.source_members = 0;
    let p = plan(
        &odoo,
        &inputs(vec![only, person("G3", "Petrov", "Petr")], &[("G3", "G2")]),
    );
    assert_eq!(
        row(&p, Entity::Organization, "G2").action,
        Action::Unchanged
    );
    let contact = row(&p, Entity::Person, "G3");
    let parent = odoo
        .person
        .columns
        .iter()
        .position(|c| c.header == "parent_id/id")
        .unwrap();
    assert_eq!(contact.values[parent], "__export__.res_partner_7");
}

#[test]
fn records_the_crm_would_refuse_are_skipped_and_so_are_their_links() {
    let t = target("salesforce");
    let p = plan(
        &t,
        &inputs(
            vec![
                org("G1", "", "+74950000001"),
                person("G2", "Ivanova", "Anna"),
            ],
            &[("G2", "G1")],
        ),
    );
    let g1 = row(&p, Entity::Organization, "G1");
    assert_eq!(g1.action, Action::Skip);
    assert!(g1.reason.contains("Name"), "{}", g1.reason);
    assert_eq!(row(&p, Entity::Person, "G2").action, Action::Create);
    let link = row(&p, Entity::Link, "G2");
    assert_eq!(link.action, Action::Skip);
    assert!(link.reason.contains("organization is skipped"));
}

#[test]
fn a_record_gone_or_merged_since_the_last_load_is_reported_not_deleted() {
    let t = target("salesforce");
    let mut i = inputs(
        vec![org("G1", "Alpha", ""), org("G2", "Alpha Ltd", "")],
        &[],
    );
    i.crosswalk = loaded(&t, &plan(&t, &i));
    i.records.truncate(1);
    let p = plan(&t, &i);
    let gone = row(&p, Entity::Organization, "G2");
    assert_eq!(gone.action, Action::Skip);
    assert!(gone.reason.starts_with(GONE), "{}", gone.reason);
    i.golden_of_member.insert("src\u{1f}G2".into(), "G1".into());
    let p = plan(&t, &i);
    let merged = row(&p, Entity::Organization, "G2");
    assert!(
        merged.reason.starts_with("merged into G1"),
        "{}",
        merged.reason
    );
    assert_eq!(p.summary().entities[0].gone, 1);
}

#[test]
fn a_crm_without_upsert_is_never_sent_a_changed_record_as_new() {
    let t = target("bitrix24");
    let mut i = inputs(vec![org("G1", "Alpha", "")], &[]);
    let first = plan(&t, &i);
    assert_eq!(row(&first, Entity::Organization, "G1").target_id, "");
    i.crosswalk = loaded(&t, &first);
    i.records[0].party.original.insert(Field::Notes, "x".into());
    let p = plan(&t, &i);
    let r = row(&p, Entity::Organization, "G1");
    assert_eq!(r.action, Action::Skip);
    assert!(r.reason.contains("[target] existing"), "{}", r.reason);
}

#[test]
fn odoo_updates_leave_out_the_columns_they_have_no_value_for() {
    let t = target("odoo");
    let mut a = org("G1", "Alpha", "+74950000001");
    a.existing = vec!["__export__.res_partner_1".into()];
    let p = plan(
        &t,
        &inputs(
            vec![a, org("G2", "Beta", ""), person("G3", "Ivanov", "Ivan")],
            &[("G3", "G2")],
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let written = files::write(&t, &p, dir.path(), false).unwrap();
    let names: Vec<&str> = written.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["res.partner.csv", "res.partner-update-1.csv"]);
    let main = std::fs::read_to_string(dir.path().join("res.partner.csv")).unwrap();
    let lines: Vec<&str> = main.lines().collect();
    assert!(
        lines[0].starts_with("id,name,is_company,parent_id/id"),
        "{}",
        lines[0]
    );
    // The company first, then its contact pointing at it by external ID.
    assert!(lines[1].starts_with("golive_G2,Beta,True,"), "{}", lines[1]);
    assert!(
        lines[2].starts_with("golive_G3,Ivanov Ivan,False,golive_G2,"),
        "{}",
        lines[2]
    );
    let update = std::fs::read_to_string(dir.path().join("res.partner-update-1.csv")).unwrap();
    assert_eq!(
        update.lines().collect::<Vec<_>>(),
        [
            "id,name,is_company,phone",
            "__export__.res_partner_1,Alpha,True,+74950000001"
        ]
    );
}

#[test]
fn files_split_at_the_row_limit_and_instructions_list_them_in_order() {
    let mut t = target("hubspot");
    t.max_rows = 2;
    let records = (1..=5)
        .map(|n| org(&format!("G{n}"), &format!("Org {n}"), ""))
        .collect();
    let p = plan(&t, &inputs(records, &[]));
    let dir = tempfile::tempdir().unwrap();
    let written = files::write(&t, &p, dir.path(), false).unwrap();
    let rows: Vec<(&str, usize)> = written.iter().map(|f| (f.name.as_str(), f.rows)).collect();
    assert_eq!(
        rows,
        [
            ("companies-1.csv", 2),
            ("companies-2.csv", 2),
            ("companies-3.csv", 1)
        ]
    );
    let first = std::fs::read(dir.path().join("companies-1.csv")).unwrap();
    assert!(first.starts_with(crate::export::BOM));
    let howto = std::fs::read_to_string(dir.path().join("IMPORT.txt")).unwrap();
    assert!(
        howto.contains("1. companies-1.csv  2 rows (2 new, 0 updates)"),
        "{howto}"
    );
}

/// The pipeline plans a page of golden records at a time (created
/// organizations last, out of golden-ID order): the same plan as all at once.
#[test]
fn a_plan_made_page_by_page_is_the_plan_made_at_once() {
    let t = target("salesforce");
    let mut records = [
        org("G1", "Alpha", "+74950000001"),
        person("G2", "Ivanov", "Ivan"),
        org("G4", "Gamma", ""),
        person("G5", "Sato", "Yuki"),
        person("G6", "Kim", "Mina"),
    ];
    records[2].existing = vec!["001X".into()];
    let created = org("G3", "Beta (from a contact)", "");
    let mut i = inputs(
        records.iter().cloned().chain([created.clone()]).collect(),
        &[("G2", "G1"), ("G5", "G3"), ("G6", "G9")],
    );
    // One record sent before and since changed, one gone from the sources.
    let first = plan(&t, &i);
    i.crosswalk = loaded(&t, &first);
    i.crosswalk.push(CrosswalkEntry {
        golden_id: "G0".into(),
        anchor: "src\u{1f}G0".into(),
        ..i.crosswalk[0].clone()
    });
    i.records[0]
        .party
        .original
        .insert(Field::Notes, "changed".into());
    let whole = plan(&t, &i);

    let mut planner = Planner::new(&t, &i.crosswalk);
    for page in i.records[..5].chunks(2) {
        planner.add(page);
    }
    planner.add(&i.records[5..]);
    let paged = planner.finish(&i.person_organization, &i.golden_of_member, None);
    assert_eq!(paged, whole);
    assert_eq!(
        row(&paged, Entity::Organization, "G1").action,
        Action::Update
    );
    assert_eq!(row(&paged, Entity::Organization, "G0").action, Action::Skip);
    assert_eq!(
        row(&paged, Entity::Link, "G5").target_id,
        external_id(&t, "G3"),
        "the contact of a created organization points to it"
    );
    assert_eq!(row(&paged, Entity::Link, "G6").action, Action::Skip);
}
