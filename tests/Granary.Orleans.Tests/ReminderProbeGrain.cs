using Orleans.Runtime;

namespace Granary.Orleans.Tests;

/// <summary>Registers reminders and logs their ticks with the silo that received them.</summary>
public sealed class ReminderProbeGrain(ILocalSiloDetails silo) : Grain, IReminderProbeGrain, IRemindable
{
    /// <inheritdoc/>
    public async Task RegisterAsync(string name, TimeSpan dueTime, TimeSpan period) =>
        await this.RegisterOrUpdateReminder(name, dueTime, period);

    /// <inheritdoc/>
    public async Task UnregisterAsync(string name)
    {
        IGrainReminder? reminder = await this.GetReminder(name);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <inheritdoc/>
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ReminderLog.Record(this.GetPrimaryKeyString(), reminderName, silo.SiloAddress.ToString());
        return Task.CompletedTask;
    }
}
