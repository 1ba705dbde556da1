using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WebApi.Reviews;
using WebApi.Scans;
using WebApi.Services;

namespace WebApi.Data.Configurations;

internal sealed class ScanConfiguration : IEntityTypeConfiguration<Scan>
{
    public void Configure(EntityTypeBuilder<Scan> scan)
    {
        scan.ToTable("Scans");
        scan.Property(s => s.Environment).HasMaxLength(Limits.Slug);
        scan.Property(s => s.TargetUrl).HasMaxLength(Limits.Url);
        scan.Property(s => s.Profile).HasConversion<string>().HasMaxLength(16);
        scan.Property(s => s.Trigger).HasConversion<string>().HasMaxLength(16);
        scan.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        scan.Property(s => s.RequestedBy).HasMaxLength(Limits.UserId);
        scan.Property(s => s.Grade).HasMaxLength(2);
        scan.Property(s => s.ProfileGrade).HasMaxLength(2);
        scan.Property(s => s.Report).HasColumnType("jsonb");
        scan.Property(s => s.Error).HasMaxLength(Limits.Description);
        // The queue: workers look for the oldest queued scan, or a running one whose lease lapsed.
        scan.HasIndex(s => new { s.Status, s.QueuedAt });
        scan.HasIndex(s => new { s.ServiceId, s.Environment, s.FinishedAt });
        scan.HasIndex(s => new { s.TargetUrl, s.QueuedAt });
        // The retention's sweep, oldest first.
        scan.HasIndex(s => s.FinishedAt);
        // One queued or running scan per service and URL, enforced by PostgreSQL when two requests race; the self-scans
        // (no service) count as one service.
        scan.HasIndex(s => new { s.ServiceId, s.TargetUrl }).IsUnique().AreNullsDistinct(false)
            .HasFilter("\"Status\" IN ('Queued', 'Running')").HasDatabaseName(ScanQueue.OneActivePerTargetIndex);
        scan.HasOne<RegisteredService>().WithMany().HasForeignKey(s => s.ServiceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ScanObservationConfiguration : IEntityTypeConfiguration<ScanObservation>
{
    public void Configure(EntityTypeBuilder<ScanObservation> observation)
    {
        observation.ToTable("ScanObservations");
        observation.Property(o => o.ItemId).HasMaxLength(Limits.Code);
        observation.Property(o => o.Environment).HasMaxLength(Limits.Slug);
        observation.Property(o => o.FindingId).HasMaxLength(Limits.Code);
        observation.Property(o => o.Summary).HasMaxLength(Limits.Description);
        observation.HasIndex(o => new { o.ReviewId, o.ItemId });
        observation.HasIndex(o => new { o.ReviewId, o.Environment });
        observation.HasOne<ReviewItem>().WithMany().HasForeignKey(o => new { o.ReviewId, o.ItemId }).OnDelete(DeleteBehavior.Cascade);
        observation.HasOne<Scan>().WithMany().HasForeignKey(o => o.ScanId).OnDelete(DeleteBehavior.Cascade);
    }
}
