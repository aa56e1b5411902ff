# The gossip cmdlets inside pwsh against a real silo: Receive-GossipMessage in a thread job while
# Send-GossipMessage publishes; -WhatIf; a message over the limit is an error about that message
# only; Get-GossipTopic; Watch-GranaryCluster turning cluster-events messages into objects.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'GranaryTestKit.psm1') -Force
    $paths = Get-GranaryTestPath
    Import-Module $paths.Module -Force
    $silo = Start-GranaryTestSilo
    $session = Connect-GranaryCluster -TicketFile $silo.TicketFile -TokenFile $silo.TokenFile -PassThru
    $node = ($silo.Ticket -split '[:@]')[1]

    # Starts SCRIPT (which gets $session and the module's path) in a thread job and waits until its
    # subscription is in place: the cmdlet says so on its verbose stream once the silo joined.
    function Start-Listener ([scriptblock] $Script, [object] $Through = $session) {
        $job = Start-ThreadJob -ScriptBlock $Script -ArgumentList $Through, $paths.Module
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        while (-not ($job.Verbose | Where-Object { "$_" -like 'Subscribed to*' })) {
            if ($job.State -in 'Failed', 'Completed' -or $clock.Elapsed.TotalSeconds -gt 20) {
                throw "The listener did not subscribe: $($job.State) $(Receive-Job $job 2>&1 | Out-String)"
            }
            Start-Sleep -Milliseconds 50
        }
        $job
    }
}

AfterAll {
    Get-Job | Remove-Job -Force
    if ($session.IsOpen) { Disconnect-GranaryCluster -Session $session }
    $silo | Stop-GranaryTestSilo
    Remove-TestDirectory
}

Describe 'Receive-GossipMessage and Send-GossipMessage' {
    It 'delivers every message published through the pipeline once, as objects, and -WhatIf publishes nothing' {
        $listener = Start-Listener -Script {
            param($session, $module)
            Import-Module $module
            Receive-GossipMessage -Topic 'pester/chat' -Count 3 -Session $session -Verbose
        }
        Send-GossipMessage -Topic 'pester/chat' -Message 'not sent' -Session $session -WhatIf
        'one', 'two' | Send-GossipMessage -Topic 'pester/chat' -Session $session -ErrorAction Stop
        Send-GossipMessage -Topic 'pester/chat' -Bytes ([byte[]](0xE2, 0x82, 0xAC)) -Session $session -ErrorAction Stop

        $messages = @(Receive-Job $listener -Wait -ErrorAction Stop)
        Remove-Job $listener
        $messages.Count | Should -Be 3
        $messages[0] | Should -BeOfType Granary.PowerShell.GossipMessage
        $messages.Text | Should -Be @('one', 'two', '€')
        $messages | ForEach-Object {
            $_.Topic | Should -Be 'pester/chat'
            $_.From | Should -Be $node
            $_.Hops | Should -Be 0
            $_.Scope | Should -Be 'Swarm'
        }
        $messages[2].Content | Should -Be @(0xE2, 0x82, 0xAC)
    }

    It 'refuses a message over the limit with an error about that message, and sends the rest' {
        $listener = Start-Listener -Script {
            param($session, $module)
            Import-Module $module
            Receive-GossipMessage -Topic 'pester/limit' -Count 1 -Session $session -Verbose
        }
        $errors = $null
        ('x' * 5000), 'small' | Send-GossipMessage -Topic 'pester/limit' -Session $session -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'Granary.InvalidRequest*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$errors" | Should -BeLike '*5000 bytes*at most 4096 bytes*'
        "$errors" | Should -Not -BeLike '*   at *'
        (Receive-Job $listener -Wait -ErrorAction Stop).Text | Should -Be 'small'
        Remove-Job $listener
    }
}

Describe 'Get-GossipTopic' {
    It 'lists the topics with their names and the silo in their swarm, and filters by name or id' {
        $all = @(Get-GossipTopic -Session $session)
        $all.Name | Should -Contain 'granary/cluster-events'
        $chat = Get-GossipTopic 'pester/chat' -Session $session
        $chat.Name | Should -Be 'pester/chat'
        (Get-GossipTopic $chat.Topic.ToString() -Session $session).Name | Should -Be 'pester/chat'
        @((Get-GossipTopic 'granary/cluster-events' -Session $session).Silos).Count | Should -Be 1
        # The table view: short id, created, silo count, name; no wire fields such as Status.
        $table = Get-GossipTopic 'pester/chat' -Session $session | Out-String -Width 80
        $table | Should -Match 'Topic\s+Created\s+Silos Name'
        $table | Should -Match ([regex]::Escape($chat.Topic.ToString().Substring(0, 16)) + '.*\s1 pester/chat')
        $table | Should -Not -Match 'Status'
    }
}

Describe 'Watch-GranaryCluster' {
    It 'outputs the cluster events the silos publish as objects, and clients may not publish there' {
        # A silo of its own: the event is its stop.
        $watched = Start-GranaryTestSilo
        $watchedSession = Connect-GranaryCluster -TicketFile $watched.TicketFile -TokenFile $watched.TokenFile -PassThru
        # Until the silo ends the subscription: it stops (its own silo-started may come first).
        $watch = Start-Listener -Through $watchedSession -Script {
            param($session, $module)
            Import-Module $module
            Watch-GranaryCluster -Session $session -Verbose
        }

        { Send-GossipMessage -Topic 'granary/cluster-events' -Message '{"event":"silo-started","silo":"forged","time":"2026-12-03T07:00:00+00:00"}' -Session $watchedSession -ErrorAction Stop } |
            Should -Throw '*only the silos publish on granary/cluster-events*'

        & kill -TERM $watched.Process.Id  # a graceful stop: SIGKILL would say nothing
        $out = @(Receive-Job $watch -Wait -ErrorAction SilentlyContinue -ErrorVariable ended)
        Remove-Job $watch
        $out | ForEach-Object { $_ | Should -BeOfType Granary.Gossip.Topics.ClusterEvent }
        $stopping = @($out | Where-Object Event -EQ 'silo-stopping')
        $stopping.Count | Should -Be 1
        $stopping[0].Silo | Should -Be $watched.Ticket
        $out.Silo | Should -Not -Contain 'forged'
        "$ended" | Should -BeLike '*ended the subscription*'
        $watched | Stop-GranaryTestSilo
    }
}

Describe 'Without a session' {
    # Last: it closes the default session, which is $session.
    It 'says to connect first' {
        Disconnect-GranaryCluster -ErrorAction SilentlyContinue
        { Send-GossipMessage -Topic 'x' -Message 'y' -ErrorAction Stop } | Should -Throw '*Connect-GranaryCluster*'
        { Receive-GossipMessage -Topic 'x' -Count 1 -ErrorAction Stop } | Should -Throw '*Connect-GranaryCluster*'
    }
}
