// tutorial.cpp — the tutorial's two parts through the runspace harness.
#include <rsb/bench/tutorial.hpp>

#include <ostream>
#include <string>

#include <rsb/scenarios/counter.hpp>
#include <rsb/structures/mutex_map.hpp>
#include <rsb/structures/mutex_queue.hpp>
#include <rsb/harness/runspace.hpp>

namespace rsb {

namespace {

using namespace std::chrono_literals;

// Part 1: "Création d'une file d'attente partagée".
bool shared_queue_part(host& console) {
    console.write_line("# 1 - File d'attente partagée : runspace1 envoie, runspace2 reçoit");
    // $Queue = [System.Collections.Queue]::Synchronized((New-Object System.Collections.Queue))
    mutex_queue<std::string> queue;
    // Both runspaces run as one pool so the run has a deadline and cannot hang.
    runspace_pool pool(console, pool_options{.deadline = 5s});
    runspace& runspace1 = pool.add("runspace1", [](runspace_context& ctx) {
        auto& q = ctx.variable<mutex_queue<std::string>>("Queue");
        const std::string data = "Donnée de Runspace 1";
        if (!q.try_push(data)) throw std::runtime_error("the queue refused the item");
    });
    runspace& runspace2 = pool.add("runspace2", [](runspace_context& ctx) {
        auto& q = ctx.variable<mutex_queue<std::string>>("Queue");
        auto& affichage = ctx.variable<host>("Affichage");
        std::string data;
        // $Queue.Dequeue() on an empty queue throws in PowerShell; here the runspace waits.
        if (!ctx.wait_until("waiting: queue empty", [&] { return q.try_pop(data); })) return;
        affichage.write_line("Donnée reçue : " + data);
    });
    // $runspace1.SessionStateProxy.SetVariable("Queue", $Queue) — and the same for runspace2
    runspace1.set_variable("Queue", queue);
    runspace2.set_variable("Queue", queue);
    // $Affichage = $host; $runspace2.SessionStateProxy.SetVariable("Affichage", $Affichage)
    runspace2.set_variable("Affichage", console);
    const run_report report = pool.invoke();
    if (!report.ok()) {
        console.write_line("tutorial part 1 failed: " + report.failure);
        return false;
    }
    return true;
}

// Part 2: "Utilisation de variables partagées" ($personnage).
bool shared_variables_part(host& console, const tutorial_options& options) {
    console.write_line("# 2 - Variables partagées : Alice (runspace1) ajoute 2 jetons, Bob (runspace2) lit");
    using map = mutex_map<std::string, std::int64_t>;
    const std::vector<std::string> names = personnage_names(1, 1);  // "Qui ?", "Alice", "Bob"
    // $personnage = [hashtable]::Synchronized(@{}); Name = "Qui ?"; Jeton = 5; Continue = $true
    map personnage;
    personnage.set("Name", 0);
    personnage.set("Jeton", jeton_start);
    personnage.set("Continue", 1);

    auto line = [&names](map& p, const char* spacing) {
        const auto name = p.get("Name").value_or(0);
        const auto shown = name >= 0 && static_cast<std::size_t>(name) < names.size() ? names[static_cast<std::size_t>(name)] : "?";
        return " Name : " + shown + spacing + "et Jetons : " + std::to_string(p.get("Jeton").value_or(0));
    };

    const auto deadline = options.interval * (options.rounds + 10) + 5s;
    runspace_pool pool(console, pool_options{.deadline = std::chrono::duration_cast<std::chrono::milliseconds>(deadline)});
    pool.add("runspace1", [&](runspace_context& ctx) {
        auto& p = ctx.variable<map>("personnage");
        while (p.get("Continue").value_or(0) != 0 && ctx.keep_going()) {
            p.set("Name", 1);  // "Alice"
            ctx.host().write_line(line(p, " "));
            p.set("Jeton", p.get("Jeton").value_or(0) + jeton_step);  // racy, exactly as the tutorial
            ctx.count_ops();
            ctx.sleep_for(options.interval);
        }
    });
    pool.add("runspace2", [&](runspace_context& ctx) {
        auto& p = ctx.variable<map>("personnage");
        while (p.get("Continue").value_or(0) != 0 && ctx.keep_going()) {
            p.set("Name", 2);  // "Bob"
            ctx.host().write_line(line(p, "   "));
            ctx.count_ops();
            ctx.sleep_for(options.interval);
        }
    });
    // The parent console: invoke() waits for the pool, so the person who types
    // `$personnage.Continue = $false` in the ISE is a runspace of its own here.
    pool.add("console", [&](runspace_context& ctx) {
        auto& p = ctx.variable<map>("personnage");
        ctx.sleep_for(options.interval * options.rounds + options.interval / 2);
        ctx.host().write_line("PS> $personnage.Continue = $false");
        p.set("Continue", 0);
    });
    pool.set_variable("personnage", personnage);
    const run_report report = pool.invoke();
    if (!report.ok()) {
        console.write_line("tutorial part 2 failed: " + report.failure);
        return false;
    }
    const auto alice_rounds = report.runspaces[0].ops;
    const auto jeton = personnage.get("Jeton").value_or(-1);
    console.write_line("Continue = $false : les deux runspaces se sont arrêtés (Alice : " + std::to_string(alice_rounds) +
                       " tours, Bob : " + std::to_string(report.runspaces[1].ops) + " tours, Jeton = " +
                       std::to_string(jeton) + ")");
    if (alice_rounds == 0 || jeton != jeton_start + jeton_step * static_cast<std::int64_t>(alice_rounds)) {
        console.write_line("tutorial part 2 failed: Jeton should be 5 + 2 per Alice round");
        return false;
    }
    return true;
}

}  // namespace

int run_tutorial(std::ostream& out, const tutorial_options& options) {
    host console(out);
    const bool part1 = shared_queue_part(console);
    const bool part2 = shared_variables_part(console, options);
    return part1 && part2 ? 0 : 1;
}

}  // namespace rsb
