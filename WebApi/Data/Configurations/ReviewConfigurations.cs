using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WebApi.Evidence;
using WebApi.Reviews;
using WebApi.Services;

namespace WebApi.Data.Configurations;

internal sealed class ReviewConfiguration : IEntityTypeConfiguration<Review>
{
    public void Configure(EntityTypeBuilder<Review> review)
    {
        review.ToTable("Reviews");
        review.Property(r => r.ChecklistId).HasMaxLength(Limits.Code);
        review.Property(r => r.ChecklistVersion).HasMaxLength(32);
        review.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        review.Property(r => r.StartedBy).HasMaxLength(Limits.UserId);
        review.Property(r => r.CompletedBy).HasMaxLength(Limits.UserId);
        review.Property(r => r.Version).IsRowVersion();
        review.HasIndex(r => new { r.ServiceId, r.StartedAt });
        // At most one open review per service, enforced by PostgreSQL even when two requests race.
        review.HasIndex(r => r.ServiceId).IsUnique().HasFilter("\"State\" = 'Open'").HasDatabaseName("IX_Reviews_OneOpenPerService");
        review.HasOne<RegisteredService>().WithMany().HasForeignKey(r => r.ServiceId).OnDelete(DeleteBehavior.Cascade);
        review.HasMany(r => r.Items).WithOne().HasForeignKey(i => i.ReviewId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReviewItemConfiguration : IEntityTypeConfiguration<ReviewItem>
{
    public void Configure(EntityTypeBuilder<ReviewItem> item)
    {
        item.ToTable("ReviewItems");
        item.HasKey(i => new { i.ReviewId, i.ItemId });
        item.Property(i => i.ItemId).HasMaxLength(Limits.Code);
        item.Property(i => i.SectionId).HasMaxLength(Limits.Code);
        item.Property(i => i.SectionTitle).HasMaxLength(Limits.Name);
        item.Property(i => i.Title).HasMaxLength(Limits.Name);
        item.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
        item.Property(i => i.Notes).HasMaxLength(Limits.Notes);
        item.Property(i => i.AssigneeId).HasMaxLength(Limits.UserId);
        item.OwnsOne(i => i.Waiver, waiver =>
        {
            waiver.Property(w => w.Reason).HasMaxLength(Limits.Description);
            waiver.Property(w => w.RequestedBy).HasMaxLength(Limits.UserId);
            waiver.Property(w => w.ApproverId).HasMaxLength(Limits.UserId);
        });
        item.Property(i => i.Version).IsRowVersion();
    }
}

internal sealed class EvidenceFileConfiguration : IEntityTypeConfiguration<EvidenceFile>
{
    public void Configure(EntityTypeBuilder<EvidenceFile> evidence)
    {
        evidence.ToTable("EvidenceFiles");
        evidence.Property(e => e.ItemId).HasMaxLength(Limits.Code);
        evidence.Property(e => e.BlobName).HasMaxLength(Limits.Code);
        evidence.HasIndex(e => e.BlobName).IsUnique();
        evidence.Property(e => e.FileName).HasMaxLength(Limits.FileName);
        evidence.Property(e => e.ContentType).HasMaxLength(Limits.Code);
        evidence.Property(e => e.Sha256).HasMaxLength(64);
        evidence.Property(e => e.UploadedBy).HasMaxLength(Limits.UserId);
        evidence.Property(e => e.Version).IsRowVersion();
        evidence.HasIndex(e => new { e.ReviewId, e.ItemId });
        evidence.HasOne<ReviewItem>().WithMany().HasForeignKey(e => new { e.ReviewId, e.ItemId }).OnDelete(DeleteBehavior.Cascade);
    }
}
