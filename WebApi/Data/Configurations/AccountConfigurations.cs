using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WebApi.Accounts;
using WebApi.Audit;
using WebApi.Http;

namespace WebApi.Data.Configurations;

internal sealed class PersonalAccessTokenConfiguration : IEntityTypeConfiguration<PersonalAccessToken>
{
    public void Configure(EntityTypeBuilder<PersonalAccessToken> token)
    {
        token.ToTable("PersonalAccessTokens");
        token.Property(t => t.UserId).HasMaxLength(Limits.UserId);
        token.Property(t => t.Name).HasMaxLength(Limits.Name);
        token.Property(t => t.Hash).HasMaxLength(64);
        token.HasIndex(t => t.Hash).IsUnique();
        token.Property(t => t.Prefix).HasMaxLength(16);
        token.Property(t => t.Scopes).HasColumnType("text[]");
        token.Property(t => t.Version).IsRowVersion();
        token.HasIndex(t => t.UserId);
        token.HasOne<IdentityUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> audit)
    {
        audit.ToTable("AuditEvents");
        audit.Property(a => a.Id).UseIdentityAlwaysColumn();
        audit.Property(a => a.ActorId).HasMaxLength(Limits.UserId);
        audit.Property(a => a.Action).HasMaxLength(Limits.Code);
        audit.Property(a => a.EntityType).HasMaxLength(Limits.Code);
        audit.Property(a => a.EntityId).HasMaxLength(Limits.Name);
        audit.Property(a => a.Before).HasColumnType("jsonb");
        audit.Property(a => a.After).HasColumnType("jsonb");
        audit.Property(a => a.TraceId).HasMaxLength(32);
        // No foreign keys: the history outlives what it describes.
        audit.HasIndex(a => new { a.ServiceId, a.Id });
        audit.HasIndex(a => new { a.ReviewId, a.Id });
        audit.HasIndex(a => new { a.TeamId, a.Id });
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> record)
    {
        record.ToTable("IdempotencyKeys");
        record.HasKey(r => new { r.UserId, r.Key });
        record.Property(r => r.UserId).HasMaxLength(Limits.UserId);
        record.Property(r => r.Key).HasMaxLength(Limits.IdempotencyKey);
        record.Property(r => r.RequestHash).HasMaxLength(64);
        record.Property(r => r.Location).HasMaxLength(Limits.Url);
        record.Property(r => r.Body).HasColumnType("jsonb");
        record.HasIndex(r => r.CreatedAt);
    }
}
