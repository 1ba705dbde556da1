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

    /// <summary>
    /// Saves the tracked changes with the audit events among them inserted last, all in one transaction (the caller's,
    /// or one of its own, run again whole after a transient failure). An event's insert trigger takes its scope's
    /// chain lock, which every writer of the team waits for. Saved in the context's own order (<c>AuditEvents</c> sorts
    /// before the tables it describes), a write would hold the chain while it waits for the rows it changes, and a
    /// writer that holds one of those rows and waits for the chain (a completion holds its review) would close a
    /// deadlock cycle. Last, the chain is the one lock a save waits for while holding it.
    /// </summary>
    /// <remarks>
    /// Events are inserted with SQL of their own (<see cref="AuditLog.InsertAsync"/>) and get their ids back, so they
    /// are tracked like any saved row: pending until the changes are accepted, when a transaction that failed is
    /// tried again, and unchanged after.
    /// </remarks>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (!ChangeTracker.Entries<AuditEvent>().Any(entry => entry.State == EntityState.Added))
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        // As SaveChanges itself does: inside the caller's transaction, the caller's strategy runs the attempt again.
        var saved = Database.CurrentTransaction is not null
            ? await SaveEventsLastAsync(cancellationToken)
            : await Database.CreateExecutionStrategy().ExecuteAsync(async token =>
            {
                await using var transaction = await Database.BeginTransactionAsync(token);
                // A failed save ends the whole transaction: no savepoint to go back to, and two round trips fewer.
                Database.AutoSavepointsEnabled = false;
                try
                {
                    var count = await SaveEventsLastAsync(token);
                    await transaction.CommitAsync(token);
                    return count;
                }
                finally
                {
                    Database.AutoSavepointsEnabled = true;
                }
            }, cancellationToken);
        if (acceptAllChangesOnSuccess)
        {
            ChangeTracker.AcceptAllChanges();
        }

        return saved;
    }

    /// <summary>The synchronous save has no caller in the app; it refuses audit events rather than save them first.</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        ChangeTracker.Entries<AuditEvent>().Any(entry => entry.State == EntityState.Added)
            ? throw new NotSupportedException("Audit events are saved by SaveChangesAsync, which inserts them after the changes they describe.")
            : base.SaveChanges(acceptAllChangesOnSuccess);

    private async Task<int> SaveEventsLastAsync(CancellationToken cancellationToken)
    {
        var events = ChangeTracker.Entries<AuditEvent>().Where(entry => entry.State == EntityState.Added).Select(entry => entry.Entity).ToList();
        int saved;
        foreach (var auditEvent in events)
        {
            Entry(auditEvent).State = EntityState.Detached;
        }

        try
        {
            saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess: false, cancellationToken);
        }
        finally
        {
            foreach (var auditEvent in events)
            {
                Entry(auditEvent).State = EntityState.Added;
            }
        }

        foreach (var auditEvent in events)
        {
            var id = Entry(auditEvent).Property(e => e.Id);
            id.CurrentValue = await AuditLog.InsertAsync(Database, auditEvent, cancellationToken);
            id.IsTemporary = false;
        }

        return saved + events.Count;
    }

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
