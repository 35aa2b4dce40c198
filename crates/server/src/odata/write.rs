//! POST, PATCH, PUT and DELETE: bodies are validated against the version's model before
//! the one store call, so a rejected request writes nothing.

use axum::body::Body;
use axum::http::{HeaderName, StatusCode, header};
use axum::response::Response;
use intune::ApiVersion;
use odata::WriteMode;
use odata::value::{complete_entity, read_entity};
use store::Changes;

use super::resource::Shape;
use super::{Request, render};
use crate::ApiError;
use crate::body::ObjectBody;
use crate::control::Profile;

static PREFERENCE_APPLIED: HeaderName = HeaderName::from_static("preference-applied");

/// Creates an entity in a collection, or a contained single-valued target: 201 with the
/// entity and its `Location`.
pub async fn create(request: &Request<'_>, body: Body) -> Result<Response, ApiError> {
    let changes = changes(request, body, WriteMode::Create).await?;
    let resource = &request.resource;
    let record = request
        .app
        .store
        .create(request.tenant, resource.address()?, changes)
        .await
        .map_err(|e| request.store_error(e))?;
    let (fragment, location) = if resource.shape == Shape::Collection {
        let canonical = resource.canonical();
        (
            format!("{}/$entity", resource.fragment()),
            resource.url(&format!("{canonical}('{}')", record.id)),
        )
    } else {
        (resource.fragment(), resource.url(&resource.canonical()))
    };
    let response = if prefers_minimal(request) {
        let response = render::with_header(
            render::no_content(),
            PREFERENCE_APPLIED.clone(),
            "return=minimal",
        );
        render::with_header(
            response,
            HeaderName::from_static("odata-entityid"),
            &location,
        )
    } else {
        let context = resource.context(&fragment);
        render::json_bytes(
            StatusCode::CREATED,
            rendered(request, &record, &context).to_bytes(),
        )
    };
    Ok(render::with_header(response, header::LOCATION, &location))
}

/// Merges a body into an entity: 200 with the updated entity (`Prefer: return=minimal`:
/// 204), as the seed documents show. Under the observed profile 204 as Intune answers
/// (contrib#8701), unless `Prefer: return=representation` asks for the entity.
pub async fn update(request: &Request<'_>, body: Body) -> Result<Response, ApiError> {
    let changes = changes(request, body, WriteMode::Patch).await?;
    let resource = &request.resource;
    let record = request
        .app
        .store
        .update(request.tenant, resource.address()?, changes)
        .await
        .map_err(|e| request.store_error(e))?;
    if prefers_minimal(request) {
        return Ok(render::with_header(
            render::no_content(),
            PREFERENCE_APPLIED.clone(),
            "return=minimal",
        ));
    }
    let representation = request
        .preferences()
        .any(|p| p.eq_ignore_ascii_case("return=representation"));
    if request.profile == Profile::Observed && !representation {
        return Ok(render::no_content());
    }
    let context = resource.context(&resource.fragment());
    let response = render::json_bytes(
        StatusCode::OK,
        rendered(request, &record, &context).to_bytes(),
    );
    Ok(match (request.profile, representation) {
        (Profile::Observed, true) => render::with_header(
            response,
            PREFERENCE_APPLIED.clone(),
            "return=representation",
        ),
        _ => response,
    })
}

/// `POST`/`PUT …/$ref` with a full entity: replaces a summary whole (204). OData's
/// reference body, `{"@odata.id": …}` alone, is refused: read as an entity it has no
/// property, and would reset every count without a word.
pub async fn replace(request: &Request<'_>, body: Body) -> Result<Response, ApiError> {
    let body = json_object(request, body).await?;
    let object = &body.object;
    if object.contains_key("@odata.id") && object.keys().all(|key| key.contains('@')) {
        return Err(ApiError::InvalidReference(format!(
            "This '$ref' takes the summary's properties (a full {}), not a reference: a body of '@odata.id' alone names nothing to write, and nothing was written. DELETE the '$ref' to reset the summary.",
            request.resource.target_type()
        )));
    }
    let changes = changes_of(request, &body, WriteMode::Replace)?;
    request
        .app
        .store
        .replace(request.tenant, request.resource.address()?, changes)
        .await
        .map_err(|e| request.store_error(e))?;
    Ok(render::no_content())
}

/// Deletes an entity and what it contains; on a summary, resets it (204).
pub async fn delete(request: &Request<'_>) -> Result<Response, ApiError> {
    request
        .app
        .store
        .delete(request.tenant, request.resource.address()?)
        .await
        .map_err(|e| request.store_error(e))?;
    Ok(render::no_content())
}

/// The written entity as the answer shows it, under `context`.
fn rendered<'a>(
    request: &'a Request<'_>,
    record: &'a store::Record,
    context: &'a str,
) -> render::Entity<'a> {
    let resource = &request.resource;
    render::Entity {
        model: resource.model,
        record,
        declared: resource.target_type(),
        select: None,
        expand: &[],
        annotations: request.annotations(),
        context: Some(context),
    }
}

/// Reads and validates the body against the addressed type, with the links it binds.
async fn changes(request: &Request<'_>, body: Body, mode: WriteMode) -> Result<Changes, ApiError> {
    let body = json_object(request, body).await?;
    changes_of(request, &body, mode)
}

/// [`changes`] of a body already read.
fn changes_of(
    request: &Request<'_>,
    body: &ObjectBody,
    mode: WriteMode,
) -> Result<Changes, ApiError> {
    let resource = &request.resource;
    let object = &body.object;
    let mut entity = read_entity(
        resource.model,
        resource.target_type(),
        object,
        &body.numbers,
        mode,
    )?;
    // A complex value keeps the members only other versions declare (their defaults
    // where it has none): what each version reads, and what `$filter` finds, is stored.
    let others: Vec<&odata::Model> = ApiVersion::ALL
        .into_iter()
        .filter(|v| *v != resource.version)
        .map(|v| request.app.schema.model(v))
        .collect();
    complete_entity(resource.model, &others, &mut entity);
    Ok(Changes {
        type_name: entity.type_name,
        values: entity.values,
        merged: entity.merged,
        links: super::links::bindings(resource, object)?,
    })
}

/// The body as a JSON object, declared as JSON and within Graph's size limit.
pub(super) async fn json_object(request: &Request<'_>, body: Body) -> Result<ObjectBody, ApiError> {
    crate::body::read_object(request.headers, body).await
}

fn prefers_minimal(request: &Request<'_>) -> bool {
    request
        .preferences()
        .any(|p| p.eq_ignore_ascii_case("return=minimal"))
}
