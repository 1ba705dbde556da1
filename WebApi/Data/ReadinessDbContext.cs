using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using WebApi.Accounts;
using WebApi.Audit;
using WebApi.Evidence;
using WebApi.Http;
using WebApi.Reviews;
using WebApi.Scans;
using WebApi.Services;
using WebApi.Teams;

namespace WebApi.Data;

public sealed class ReadinessDbContext(DbContextOptions<ReadinessDbContext> options) : IdentityDbContext<IdentityUser>(options), IDataProtectionKeyContext
{
    private const int IdLength = 64;
    private const int TitleLength = 200;
    private const int TextLength = 2000;

    public DbSet<Checklist> Checklists => Set<Checklist>();
    public DbSet<ChecklistItem> ChecklistItems => Set<ChecklistItem>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<RegisteredService> Services => Set<RegisteredService>();
    public DbSet<Review> Reviews => Set<Review>();
    public DbSet<ReviewItem> ReviewItems => Set<ReviewItem>();
    public DbSet<EvidenceFile> EvidenceFiles => Set<EvidenceFile>();
    public DbSet<PersonalAccessToken> PersonalAccessTokens => Set<PersonalAccessToken>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();
    public DbSet<Scan> Scans => Set<Scan>();
    public DbSet<ScanObservation> ScanObservations => Set<ScanObservation>();

    /// <summary>The data-protection key ring (see <see cref="DataProtectionKeyStore"/>).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();


    protected override void OnModelCreating(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Identity's tables for the schema version in IdentityOptions (Version3, with passkeys: see IdentityStoreDefaults).
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ReadinessDbContext).Assembly);

        builder.Entity<Checklist>(checklist =>
        {
            checklist.ToTable("Checklists");
            checklist.HasKey(c => c.Id);
            checklist.Property(c => c.Id).HasMaxLength(IdLength);
            checklist.Property(c => c.Title).HasMaxLength(TitleLength);
            checklist.Property(c => c.Summary).HasMaxLength(TextLength);
            checklist.Property(c => c.Version).HasMaxLength(32);
            checklist.HasMany(c => c.Sections).WithOne().HasForeignKey(s => s.ChecklistId);
            checklist.HasData(ChecklistSeed.Checklists);
        });

        // Section and item ids are short codes ("WEB", "WEB-01") that only need to be unique within their checklist.
        builder.Entity<ChecklistSection>(section =>
        {
            section.ToTable("ChecklistSections");
            section.HasKey(s => new { s.ChecklistId, s.Id });
            section.Property(s => s.ChecklistId).HasMaxLength(IdLength);
            section.Property(s => s.Id).HasMaxLength(IdLength);
            section.Property(s => s.Title).HasMaxLength(TitleLength);
            section.Property(s => s.Summary).HasMaxLength(TextLength);
            section.HasMany(s => s.Items).WithOne().HasForeignKey(i => new { i.ChecklistId, i.SectionId });
            section.HasData(ChecklistSeed.Sections);
        });

        builder.Entity<ChecklistItem>(item =>
        {
            item.ToTable("ChecklistItems");
            item.HasKey(i => new { i.ChecklistId, i.Id });
            item.Property(i => i.ChecklistId).HasMaxLength(IdLength);
            item.Property(i => i.Id).HasMaxLength(IdLength);
            item.Property(i => i.SectionId).HasMaxLength(IdLength);
            item.Property(i => i.Title).HasMaxLength(TitleLength);
            item.Property(i => i.Guidance).HasMaxLength(TextLength);
            item.HasData(ChecklistSeed.Items);
        });
    }
}
