using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WebApi.Services;
using WebApi.Teams;

namespace WebApi.Data.Configurations;

internal sealed class ServiceConfiguration : IEntityTypeConfiguration<RegisteredService>
{
    public void Configure(EntityTypeBuilder<RegisteredService> service)
    {
        service.ToTable("Services");
        service.Property(s => s.Name).HasMaxLength(Limits.Name);
        service.Property(s => s.Slug).HasMaxLength(Limits.Slug);
        service.HasIndex(s => s.Slug).IsUnique();
        service.Property(s => s.Description).HasMaxLength(Limits.Description);
        service.Property(s => s.RepositoryUrl).HasMaxLength(Limits.Url);
        // A text[] with a GIN index, so "services tagged x" is an index lookup.
        service.Property(s => s.Tags).HasColumnType("text[]");
        service.HasIndex(s => s.Tags).HasMethod("gin");
        service.Property(s => s.Tier).HasConversion<string>().HasMaxLength(1);
        service.OwnsMany(s => s.Environments, environment =>
        {
            environment.ToJson();
            environment.Property(e => e.Profile).HasConversion<string>();
        });
        service.Property(s => s.Version).IsRowVersion();
        // A team with services cannot be deleted out from under them.
        service.HasOne<Team>().WithMany().HasForeignKey(s => s.TeamId).OnDelete(DeleteBehavior.Restrict);
    }
}
