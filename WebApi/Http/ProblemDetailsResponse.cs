using Microsoft.AspNetCore.Http.HttpResults;

namespace WebApi.Http;

/// <summary>Problem answers the features share.</summary>
public static class ProblemDetailsResponse
{
    /// <summary>Another team's resource answers exactly like one that does not exist, so ids disclose nothing.</summary>
    public static ProblemHttpResult NotFound(string what) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Not Found",
        detail: $"No {what} with this id exists, or you are not a member of its team.");

    public static ProblemHttpResult Forbidden(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Forbidden",
        detail: detail);

    public static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Conflict",
        detail: detail);

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
