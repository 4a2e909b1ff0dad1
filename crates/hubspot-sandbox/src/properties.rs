//! Property definitions at run time: HubSpot's property and property-group objects (built from the
//! static tables, or created and changed through the properties API), their JSON, and the checking and
//! normalising of record values against them (numbers, dates, date-times, booleans, enumerations).

use serde_json::{json, Map, Value};

use crate::defined_properties::{
    Def, Kind, CALC, HIDDEN, OPT_OWNERS, OPT_PIPELINES, OPT_STAGES, READ_ONLY, UNIQUE,
};
use crate::errors::{ApiError, PropError};
use crate::time::{iso_date, iso_ms, parse_instant, DAY_MS};

/// When the HubSpot-defined properties were "created".
pub(crate) const DEFINED_AT: &str = "2019-08-06T02:41:52.671Z";

/// An enumeration option.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Opt {
    label: String,
    value: String,
    display_order: i64,
    hidden: bool,
    description: String,
}

impl Opt {
    /// An option with a label and value.
    pub(crate) fn new(value: &str, label: &str, display_order: usize) -> Opt {
        Opt {
            label: label.to_string(),
            value: value.to_string(),
            display_order: display_order as i64,
            hidden: false,
            description: String::new(),
        }
    }

    fn json(&self) -> Value {
        json!({
            "label": self.label,
            "value": self.value,
            "displayOrder": self.display_order,
            "hidden": self.hidden,
            "description": self.description,
        })
    }
}

/// A property definition.
#[derive(Clone, Debug)]
pub(crate) struct Property {
    pub(crate) name: String,
    label: String,
    pub(crate) ptype: String,
    field_type: String,
    description: String,
    group_name: String,
    options: Vec<Opt>,
    display_order: i64,
    calculated: bool,
    external_options: bool,
    pub(crate) has_unique_value: bool,
    hidden: bool,
    pub(crate) hubspot_defined: bool,
    pub(crate) read_only_value: bool,
    read_only_definition: bool,
    form_field: bool,
    pub(crate) archived: bool,
    created_at: String,
    pub(crate) updated_at: String,
    pub(crate) archived_at: Option<String>,
    referenced_object_type: Option<&'static str>,
}

/// A property group.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) display_order: i64,
    pub(crate) archived: bool,
}

impl Group {
    /// HubSpot's JSON for a group.
    pub(crate) fn json(&self) -> Value {
        json!({
            "name": self.name,
            "label": self.label,
            "displayOrder": self.display_order,
            "archived": self.archived,
        })
    }

    /// Parses a group-create body.
    pub(crate) fn from_create(body: &Value) -> Result<Group, ApiError> {
        let name = req_str(body, "name")?;
        check_name(&name)?;
        Ok(Group {
            name,
            label: req_str(body, "label")?,
            display_order: body
                .get("displayOrder")
                .and_then(Value::as_i64)
                .unwrap_or(-1),
            archived: false,
        })
    }
}

impl Property {
    /// A HubSpot-defined property from its static definition; `options` replaces the static options
    /// for owner, pipeline and stage properties.
    pub(crate) fn from_def(def: &Def, order: usize, options: Option<Vec<Opt>>) -> Property {
        let (ptype, field) = def.kind.type_and_field();
        let dynamic = def.flags & (OPT_OWNERS | OPT_PIPELINES | OPT_STAGES) != 0;
        let options = options.unwrap_or_else(|| {
            def.options
                .iter()
                .enumerate()
                .map(|(i, (v, l))| Opt::new(v, l, i))
                .collect()
        });
        Property {
            name: def.name.to_string(),
            label: def.label.to_string(),
            ptype: ptype.to_string(),
            field_type: field.to_string(),
            description: String::new(),
            group_name: def.group.to_string(),
            options,
            display_order: order as i64,
            calculated: def.flags & CALC != 0,
            external_options: def.flags & OPT_OWNERS != 0,
            has_unique_value: def.flags & UNIQUE != 0,
            hidden: def.flags & HIDDEN != 0,
            hubspot_defined: true,
            read_only_value: def.flags & READ_ONLY != 0,
            read_only_definition: def.flags & (READ_ONLY | CALC) != 0 || dynamic,
            form_field: def.flags & READ_ONLY == 0 && def.kind != Kind::Html,
            archived: false,
            created_at: DEFINED_AT.to_string(),
            updated_at: DEFINED_AT.to_string(),
            archived_at: None,
            referenced_object_type: (def.flags & OPT_OWNERS != 0).then_some("OWNER"),
        }
    }

    /// HubSpot's JSON for a property.
    pub(crate) fn json(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("label".into(), json!(self.label));
        m.insert("type".into(), json!(self.ptype));
        m.insert("fieldType".into(), json!(self.field_type));
        m.insert("description".into(), json!(self.description));
        m.insert("groupName".into(), json!(self.group_name));
        m.insert(
            "options".into(),
            Value::Array(self.options.iter().map(Opt::json).collect()),
        );
        m.insert("displayOrder".into(), json!(self.display_order));
        m.insert("calculated".into(), json!(self.calculated));
        m.insert("externalOptions".into(), json!(self.external_options));
        m.insert("hasUniqueValue".into(), json!(self.has_unique_value));
        m.insert("hidden".into(), json!(self.hidden));
        m.insert("hubspotDefined".into(), json!(self.hubspot_defined));
        m.insert(
            "modificationMetadata".into(),
            json!({
                "archivable": !self.hubspot_defined,
                "readOnlyDefinition": self.read_only_definition,
                "readOnlyValue": self.read_only_value,
            }),
        );
        m.insert("formField".into(), json!(self.form_field));
        m.insert("dataSensitivity".into(), json!("non_sensitive"));
        if let Some(r) = self.referenced_object_type {
            m.insert("referencedObjectType".into(), json!(r));
        }
        m.insert("createdAt".into(), json!(self.created_at));
        m.insert("updatedAt".into(), json!(self.updated_at));
        if let Some(a) = &self.archived_at {
            m.insert("archivedAt".into(), json!(a));
        }
        m.insert("archived".into(), json!(self.archived));
        Value::Object(m)
    }

    /// Checks and normalises a value for this property: `Ok(None)` clears it (empty string).
    pub(crate) fn normalize(&self, raw: &str) -> Result<Option<String>, PropError> {
        if raw.is_empty() {
            return Ok(None);
        }
        let name = self.name.as_str();
        let t = raw.trim();
        match self.ptype.as_str() {
            "number" => match t.parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(Some(t.to_string())),
                _ => Err(PropError::new(
                    name,
                    "INVALID_NUMBER",
                    format!("{raw} is not a valid number"),
                )),
            },
            "date" => match parse_instant(t) {
                Some(ms) if ms.rem_euclid(DAY_MS) == 0 => Ok(Some(iso_date(ms))),
                Some(_) => Err(PropError::new(
                    name,
                    "INVALID_DATE",
                    format!("{raw} is not a valid date: date values must be at midnight UTC"),
                )),
                None => Err(PropError::new(
                    name,
                    "INVALID_DATE",
                    format!("{raw} is not a valid date"),
                )),
            },
            "datetime" => match parse_instant(t) {
                Some(ms) => Ok(Some(iso_ms(ms))),
                None => Err(PropError::new(
                    name,
                    "INVALID_DATE",
                    format!("{raw} is not a valid date-time"),
                )),
            },
            "bool" => match t.to_ascii_lowercase().as_str() {
                "true" | "false" => Ok(Some(t.to_ascii_lowercase())),
                _ => Err(PropError::new(
                    name,
                    "INVALID_BOOLEAN",
                    format!("{raw} is not a valid boolean"),
                )),
            },
            "enumeration" => {
                let parts: Vec<&str> = if self.field_type == "checkbox" {
                    raw.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect()
                } else {
                    vec![raw]
                };
                for part in &parts {
                    if !self.options.iter().any(|o| o.value == *part) {
                        let allowed: Vec<&str> =
                            self.options.iter().map(|o| o.value.as_str()).collect();
                        return Err(PropError::new(
                            name,
                            "INVALID_OPTION",
                            format!(
                                "{part} was not one of the allowed options: [{}]",
                                allowed.join(", ")
                            ),
                        ));
                    }
                }
                Ok(Some(parts.join(";")))
            }
            _ => Ok(Some(raw.to_string())),
        }
    }

    /// Parses a property-create body; `groups` are the object type's group names.
    pub(crate) fn from_create(
        body: &Value,
        groups: &[String],
        now: &str,
    ) -> Result<Property, ApiError> {
        let name = req_str(body, "name")?;
        check_name(&name)?;
        let label = req_str(body, "label")?;
        let ptype = req_str(body, "type")?;
        let field_type = req_str(body, "fieldType")?;
        let group_name = req_str(body, "groupName")?;
        let mut p = Property {
            name,
            label,
            ptype,
            field_type,
            description: String::new(),
            group_name,
            options: Vec::new(),
            display_order: -1,
            calculated: false,
            external_options: false,
            has_unique_value: body
                .get("hasUniqueValue")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            hidden: false,
            hubspot_defined: false,
            read_only_value: false,
            read_only_definition: false,
            form_field: false,
            archived: false,
            created_at: now.to_string(),
            updated_at: now.to_string(),
            archived_at: None,
            referenced_object_type: None,
        };
        p.apply_patch(body, groups, now)?;
        if p.ptype == "enumeration" && p.field_type != "booleancheckbox" && p.options.is_empty() {
            return Err(ApiError::validation(format!(
                "Enumeration property {} must have at least one option",
                p.name
            )));
        }
        Ok(p)
    }

    /// Applies a property-update body (label, description, groupName, options, displayOrder, hidden,
    /// formField, type, fieldType).
    pub(crate) fn apply_patch(
        &mut self,
        body: &Value,
        groups: &[String],
        now: &str,
    ) -> Result<(), ApiError> {
        let Some(obj) = body.as_object() else {
            return Err(ApiError::bad_input("expected a JSON object"));
        };
        let mut next = self.clone();
        for (k, v) in obj {
            match k.as_str() {
                "label" => next.label = as_string(k, v)?,
                "description" => next.description = as_string(k, v)?,
                "groupName" => next.group_name = as_string(k, v)?,
                "type" => next.ptype = as_string(k, v)?,
                "fieldType" => next.field_type = as_string(k, v)?,
                "displayOrder" => next.display_order = v.as_i64().unwrap_or(next.display_order),
                "hidden" => next.hidden = v.as_bool().unwrap_or(next.hidden),
                "formField" => next.form_field = v.as_bool().unwrap_or(next.form_field),
                "options" => next.options = parse_options(v)?,
                _ => {}
            }
        }
        if self.read_only_definition
            && (next.ptype != self.ptype
                || next.field_type != self.field_type
                || next.options != self.options)
        {
            return Err(ApiError::validation(format!(
                "The definition of the HubSpot-defined property {} is read-only",
                self.name
            )));
        }
        if !groups.contains(&next.group_name) {
            return Err(ApiError::validation(format!(
                "The property group {} does not exist",
                next.group_name
            )));
        }
        check_types(&next.ptype, &next.field_type)?;
        next.updated_at = now.to_string();
        *self = next;
        Ok(())
    }
}

fn check_types(ptype: &str, field: &str) -> Result<(), ApiError> {
    let ok = match ptype {
        "string" => matches!(field, "text" | "textarea" | "html" | "phonenumber" | "file"),
        "number" => matches!(field, "number" | "calculation_equation"),
        "date" | "datetime" => field == "date",
        "enumeration" => matches!(field, "select" | "radio" | "checkbox" | "booleancheckbox"),
        "bool" => field == "booleancheckbox",
        "phone_number" => field == "phonenumber",
        _ => {
            return Err(ApiError::validation(format!(
                "Invalid input JSON on line 1, column 1: {ptype} is not a valid property type; use one of \
                 string, number, date, datetime, enumeration, bool, phone_number"
            )))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "fieldType {field} is not valid for a property of type {ptype}"
        )))
    }
}

fn parse_options(v: &Value) -> Result<Vec<Opt>, ApiError> {
    let Some(items) = v.as_array() else {
        return Err(ApiError::bad_input("options must be an array"));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let label = req_str(item, "label")?;
        let value = req_str(item, "value")?;
        out.push(Opt {
            label,
            value,
            display_order: item
                .get("displayOrder")
                .and_then(Value::as_i64)
                .unwrap_or(i as i64),
            hidden: item.get("hidden").and_then(Value::as_bool).unwrap_or(false),
            description: item
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        });
    }
    Ok(out)
}

fn as_string(key: &str, v: &Value) -> Result<String, ApiError> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| ApiError::bad_input(format!("{key} must be a string")))
}

fn req_str(body: &Value, key: &str) -> Result<String, ApiError> {
    match body.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(ApiError::bad_input(format!(
            "Missing required creator property '{key}'"
        ))),
    }
}

fn check_name(name: &str) -> Result<(), ApiError> {
    let mut bytes = name.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_lowercase());
    if first_ok
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && name.len() <= 100
    {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "{name} is not a valid name: names start with a lowercase letter and hold only lowercase \
             letters, digits and underscores"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defined_properties::defs;
    use crate::types::Obj;

    fn prop(obj: Obj, name: &str) -> Property {
        let (i, d) = defs(obj)
            .iter()
            .enumerate()
            .find(|(_, d)| d.name == name)
            .unwrap();
        Property::from_def(d, i, None)
    }

    #[test]
    fn normalizes_by_type() {
        let amount = prop(Obj::Deals, "amount");
        assert_eq!(amount.normalize("1500.5"), Ok(Some("1500.5".into())));
        assert_eq!(amount.normalize("").unwrap(), None);
        assert_eq!(amount.normalize("12a").unwrap_err().error, "INVALID_NUMBER");
        let close = prop(Obj::Deals, "closedate");
        assert_eq!(
            close.normalize("0").unwrap(),
            Some("1970-01-01T00:00:00.000Z".into())
        );
        assert_eq!(
            close.normalize("2024-03-01").unwrap(),
            Some("2024-03-01T00:00:00.000Z".into())
        );
        let stage = prop(Obj::Contacts, "lifecyclestage");
        assert_eq!(
            stage.normalize("customer").unwrap(),
            Some("customer".into())
        );
        let err = stage.normalize("Customer").unwrap_err();
        assert_eq!(err.error, "INVALID_OPTION");
        assert!(err.message.contains("subscriber, lead"));
        let start = prop(Obj::Projects, "start_date");
        assert_eq!(
            start.normalize("1704067200000").unwrap(),
            Some("2024-01-01".into())
        );
        assert_eq!(
            start.normalize("1704067200001").unwrap_err().error,
            "INVALID_DATE"
        );
    }

    #[test]
    fn creates_and_patches_custom_properties() {
        let groups = vec!["contactinformation".to_string()];
        let body = json!({"name": "favorite_color", "label": "Favorite color", "type": "enumeration",
            "fieldType": "select", "groupName": "contactinformation",
            "options": [{"label": "Red", "value": "red"}, {"label": "Blue", "value": "blue"}]});
        let mut p = Property::from_create(&body, &groups, "now").unwrap();
        assert!(!p.hubspot_defined);
        assert_eq!(p.json()["options"][1]["displayOrder"], 1);
        p.apply_patch(&json!({"label": "Colour"}), &groups, "later")
            .unwrap();
        assert_eq!(p.label, "Colour");
        assert!(p
            .apply_patch(&json!({"groupName": "nope"}), &groups, "x")
            .is_err());
        assert!(Property::from_create(
            &json!({"name": "Bad Name", "label": "x", "type": "string",
            "fieldType": "text", "groupName": "contactinformation"}),
            &groups,
            "n"
        )
        .is_err());
        assert!(Property::from_create(
            &json!({"name": "n", "label": "x", "type": "string",
            "fieldType": "select", "groupName": "contactinformation"}),
            &groups,
            "n"
        )
        .is_err());
    }
}
