namespace WebApi.Data;

/// <summary>Column sizes, shared by the schema and the request validation so a valid request always fits.</summary>
public static class Limits
{
    public const int Name = 200;
    public const int Slug = 64;
    public const int Code = 64;
    public const int Description = 2000;
    public const int Notes = 20_000;
    public const int Url = 2048;
    public const int UserId = 64;
    public const int FileName = 255;
    public const int Tag = 50;
    public const int Tags = 20;
    public const int Environments = 10;
    public const int IdempotencyKey = 128;
}
