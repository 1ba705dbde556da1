namespace WebApi.Content;

public static class ContentSanitizerExtensions
{
    public static IServiceCollection AddContentSanitizer(this IServiceCollection services) =>
        services.AddSingleton<IContentSanitizer, ContentSanitizer>();
}
