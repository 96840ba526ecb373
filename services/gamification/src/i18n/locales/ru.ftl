# Русские тексты экранов сервиса геймификации (/me, /top). Ключи те же, что в en.ftl.

## Commands as the bot's menu and /help show them
command-me = твой уровень, опыт, значки и серия
command-top = рейтинги: этот бот, эта неделя, этот месяц, группа

## /me
me-title = { $name }, твой прогресс в этом боте
me-level = ⭐ Уровень { $level } · { $xp } XP
me-next = До уровня { $next } осталось { $missing } XP (нужно { $threshold } XP)
me-top-level = У тебя максимальный уровень.
me-badges = 🏅 Значки: { $badges }
me-badge-earned-in = { $badge } (в { $bot })
me-group-xp = 🔗 Общий опыт { $bots } ботов группы; в этом боте заработано { $xp } XP
me-no-badges = 🏅 Значков пока нет.
me-streak = 🔥 Серия: { $current ->
        [one] { $current } день
        [few] { $current } дня
       *[many] { $current } дней
    } (рекорд: { $longest })
me-activities = 📊 { $total ->
        [one] { $total } занятие
        [few] { $total } занятия
       *[many] { $total } занятий
    }, последнее { $last }
me-best-score = 🎯 Лучший результат: { $best }
me-rank = 🏆 Место в этом боте: #{ $rank } из { $members }
me-unranked = 🏆 В рейтинге тебя пока нет: сначала заработай опыт.

## /top
top-title = 🏆 Топ-{ $count } этого бота
top-empty = В этом боте пока ни у кого нет опыта.
top-entry = #{ $rank } · { $xp } XP · уровень { $level }
top-entry-you = #{ $rank } · { $xp } XP · уровень { $level } ← ты
top-you = Твоё место: #{ $rank } из { $members }, { $xp } XP
top-you-unranked = В рейтинге тебя пока нет.
top-group-title = 🔗 Топ-{ $count } группы ({ $bots } ботов)
top-group-entry = #{ $rank } · { $xp } XP
top-group-entry-you = #{ $rank } · { $xp } XP ← ты
top-week-title = 📅 Эта неделя (с { $start }): топ-{ $count }
top-month-title = 🗓 Этот месяц (с { $start }): топ-{ $count }
top-week-empty = 📅 Эта неделя (с { $start }): опыта пока ни у кого нет.
top-month-empty = 🗓 Этот месяц (с { $start }): опыта пока ни у кого нет.
top-period-unranked = В этом периоде у тебя пока нет опыта.
top-score-title = 🎯 Лучшие результаты в { $type }: топ-{ $count }
top-score-entry = #{ $rank } · { $score } очк. · уровень { $level }
top-score-entry-you = #{ $rank } · { $score } очк. · уровень { $level } ← ты
top-score-you = Твой лучший результат: { $score } очк., место #{ $rank } из { $members }
top-score-unranked = У тебя пока нет результата в { $type }.
