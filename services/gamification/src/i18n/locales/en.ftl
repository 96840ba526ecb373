# English texts of the gamification service's bot screens (/me, /top). Keys are shared with ru.ftl (a spec
# checks that both have the same keys).

## Commands as the bot's menu and /help show them
command-me = your level, XP, badges and streak
command-top = the leaderboards: this bot, this week, this month, the group

## /me
me-title = { $name }, your progress in this bot
me-level = ⭐ Level { $level } · { $xp } XP
me-next = { $missing } XP more to level { $next } (from { $threshold } XP)
me-top-level = You are at the top level.
me-badges = 🏅 Badges: { $badges }
me-badge-earned-in = { $badge } (in { $bot })
me-group-xp = 🔗 Shared by { $bots } bots of this group; { $xp } XP earned in this bot
me-no-badges = 🏅 No badges yet.
me-streak = 🔥 Streak: { $current ->
        [one] { $current } day
       *[other] { $current } days
    } (best: { $longest })
me-activities = 📊 { $total ->
        [one] { $total } activity
       *[other] { $total } activities
    }, the last on { $last }
me-best-score = 🎯 Best score: { $best }
me-rank = 🏆 Rank in this bot: #{ $rank } of { $members }
me-unranked = 🏆 Not on the leaderboard yet: earn some XP first.

## /top
top-title = 🏆 Top { $count } of this bot
top-empty = No one has XP in this bot yet.
top-entry = #{ $rank } · { $xp } XP · level { $level }
top-entry-you = #{ $rank } · { $xp } XP · level { $level } ← you
top-you = Your rank: #{ $rank } of { $members } with { $xp } XP
top-you-unranked = You are not on the leaderboard yet.
top-group-title = 🔗 Top { $count } of the group ({ $bots } bots)
top-group-entry = #{ $rank } · { $xp } XP
top-group-entry-you = #{ $rank } · { $xp } XP ← you
top-week-title = 📅 This week (from { $start }): top { $count }
top-month-title = 🗓 This month (from { $start }): top { $count }
top-week-empty = 📅 This week (from { $start }): no one has XP yet.
top-month-empty = 🗓 This month (from { $start }): no one has XP yet.
top-period-unranked = You have no XP in this period yet.
top-score-title = 🎯 Best scores in { $type }: top { $count }
top-score-entry = #{ $rank } · { $score } points · level { $level }
top-score-entry-you = #{ $rank } · { $score } points · level { $level } ← you
top-score-you = Your best: { $score } points, #{ $rank } of { $members }
top-score-unranked = You have no score in { $type } yet.
