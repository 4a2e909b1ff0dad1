//! Validation of record writes against the property definitions: unknown properties, read-only values,
//! value types and enumeration options, email syntax, required properties on create, pipeline/stage
//! consistency, unique values (409 CONFLICT), and which properties may serve as `idProperty`.

use serde_json::{Map, Value};

use crate::errors::{property_errors, ApiError, PropError};
use crate::store::{Changes, Store};
use crate::types::Obj;

fn value_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

impl Store {
    /// Checks that `prop` may be used as `idProperty`.
    pub(crate) fn check_id_property(&self, obj: Obj, prop: &str) -> Result<(), ApiError> {
        let special = (obj == Obj::Contacts && prop == "email")
            || (obj == Obj::Companies && prop == "domain");
        match self.prop(obj, prop) {
            Some(p) if p.has_unique_value || special || prop == "hs_object_id" => Ok(()),
            Some(_) => Err(ApiError::validation(format!(
                "{prop} is not a unique property and cannot be used as idProperty"
            ))),
            None => Err(property_errors(&[PropError::unknown(prop)])),
        }
    }

    /// Validates a `properties` object for a create (`existing` None) or an update of `existing`.
    pub(crate) fn check_values(
        &self,
        obj: Obj,
        input: Option<&Value>,
        existing: Option<u64>,
    ) -> Result<Changes, ApiError> {
        let empty = Map::new();
        let map = match input {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(m)) => m,
            Some(_) => return Err(ApiError::bad_input("properties must be an object")),
        };
        let mut errs = Vec::new();
        let mut out: Changes = Vec::with_capacity(map.len());
        for (k, v) in map {
            let Some(raw) = value_string(v) else {
                errs.push(PropError::new(
                    k,
                    "INVALID_PROPERTY_VALUE",
                    format!("The value of {k} must be a string"),
                ));
                continue;
            };
            let Some(p) = self.prop(obj, k) else {
                errs.push(PropError::unknown(k));
                continue;
            };
            if p.read_only_value && !(existing.is_none() && k == obj.created_prop()) {
                errs.push(PropError::new(
                    k,
                    "READ_ONLY_VALUE",
                    format!("Property \"{k}\" is read-only"),
                ));
                continue;
            }
            match p.normalize(&raw) {
                Ok(Some(val)) if obj == Obj::Contacts && k == "email" => {
                    if valid_email(&val) {
                        out.push((k.clone(), Some(val.to_ascii_lowercase())));
                    } else {
                        errs.push(PropError::new(
                            k,
                            "INVALID_EMAIL",
                            format!("Email address {val} is invalid"),
                        ));
                    }
                }
                Ok(val) => out.push((k.clone(), val)),
                Err(e) => errs.push(e),
            }
        }
        if existing.is_none() {
            for req in obj.required() {
                if !out.iter().any(|(k, v)| k == req && v.is_some()) {
                    errs.push(PropError::new(
                        req,
                        "REQUIRED_PROPERTY",
                        format!("Property \"{req}\" is required"),
                    ));
                }
            }
        }
        self.check_stage(obj, &out, existing, &mut errs);
        if !errs.is_empty() {
            return Err(property_errors(&errs));
        }
        for (k, v) in &out {
            let Some(v) = v else { continue };
            let unique = self.prop(obj, k).is_some_and(|p| p.has_unique_value);
            if unique {
                if let Some(other) = self.find_by(obj, k, v, existing) {
                    let what = if obj == Obj::Contacts {
                        "Contact"
                    } else {
                        "Object"
                    };
                    return Err(ApiError::conflict(format!(
                        "{what} already exists. Existing ID: {other}"
                    )));
                }
            }
        }
        Ok(out)
    }

    /// The (pipeline, stage) properties of `obj`, if it has pipelines with stages checked here.
    pub(crate) fn stage_props(obj: Obj) -> Option<(&'static str, &'static str, &'static str)> {
        match obj {
            Obj::Deals => Some(("pipeline", "dealstage", "default")),
            Obj::Tickets => Some(("hs_pipeline", "hs_pipeline_stage", "0")),
            Obj::Leads => Some(("hs_pipeline", "hs_pipeline_stage", "lead-pipeline-id")),
            _ => None,
        }
    }

    fn check_stage(
        &self,
        obj: Obj,
        out: &Changes,
        existing: Option<u64>,
        errs: &mut Vec<PropError>,
    ) {
        let Some((pp, sp, default)) = Self::stage_props(obj) else {
            return;
        };
        let current = |name: &str| -> Option<String> {
            match out.iter().find(|(k, _)| k == name) {
                Some((_, v)) => v.clone(),
                None => existing
                    .and_then(|id| self.records(obj).get(&id))
                    .and_then(|r| r.props.get(name).cloned()),
            }
        };
        let pipeline = current(pp).unwrap_or_else(|| default.to_string());
        let Some(stage) = current(sp) else { return };
        let ok = self
            .pipelines_of(obj)
            .find(|p| p.id == pipeline)
            .is_some_and(|p| p.stages.iter().any(|s| s.id == stage));
        let touched = out.iter().any(|(k, _)| k == pp || k == sp);
        if !ok && touched && !errs.iter().any(|e| e.name == sp || e.name == pp) {
            errs.push(PropError::new(
                sp,
                "INVALID_OPTION",
                format!("{stage} is not a valid stage of pipeline {pipeline}"),
            ));
        }
    }
}
