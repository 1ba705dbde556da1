namespace WebApi.Http;

/// <summary>The first answer to a POST with an <c>Idempotency-Key</c>, replayed for every retry with the same key.</summary>
public sealed class IdempotencyRecord
{
    public required string UserId { get; init; }
    public required string Key { get; init; }
    public required string RequestHash { get; init; }
    public int StatusCode { get; set; }
    public string? Location { get; set; }
    public string? Body { get; set; }
    public bool Completed { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}
