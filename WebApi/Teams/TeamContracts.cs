using System.ComponentModel.DataAnnotations;
using WebApi.Data;
using WebApi.Http;

namespace WebApi.Teams;

public sealed record CreateTeamRequest(
    [property: Required, MinLength(1), MaxLength(Limits.Name)] string Name,
    [property: Required, Slug] string Slug);

public sealed record AddMemberRequest(
    [property: Required, EmailAddress, MaxLength(254)] string Email,
    [property: Required] TeamRole? Role);

public sealed record ChangeRoleRequest([property: Required] TeamRole? Role);

public sealed record TeamResponse(Guid Id, string Name, string Slug, TeamRole MyRole, DateTimeOffset CreatedAt, string Etag);

public sealed record MemberResponse(string UserId, string Email, TeamRole Role, DateTimeOffset AddedAt, string Etag);

public sealed record TeamDetailResponse(Guid Id, string Name, string Slug, TeamRole MyRole, DateTimeOffset CreatedAt, IReadOnlyList<MemberResponse> Members, string Etag);
