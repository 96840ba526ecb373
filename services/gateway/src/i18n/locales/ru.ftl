# Russian texts of every hosted bot. Keys are shared with en.ftl (a spec checks that both have the same keys).

## Language names, in their own language on purpose (a user looking for their language must recognise it)
language-name-en = English
language-name-ru = Русский
language-telegram-default = Как в Telegram

## Commands as setMyCommands shows them
command-start = Запустить бота
command-help = Что умеет этот бот
command-profile = Ваш профиль
command-language = Выбрать язык

## /start and /help
start-greeting = Здравствуйте, { $name }! Я { $bot }. Отправьте /help, чтобы узнать, что я умею.
help-text =
    Вот что я умею:
    /start - начать сначала
    /help - этот список
    /profile - ваш профиль
    /language - выбрать язык
help-admin = /admin - меню администратора

## /profile
profile-text =
    Ваш профиль
    Имя: { $name }
    Имя пользователя: { $username }
    Роль: { $role }
    Язык: { $language }
    Участник с: { $joined }
profile-no-username = не задано
profile-unknown = неизвестно
role-user = пользователь
role-admin = администратор
role-owner = владелец
role-admin-pending = пользователь (предложен в администраторы)

## /language
language-choose = Текущий язык: { $language }. Выберите другой:
language-changed = Готово! Теперь я говорю с вами на языке: { $language }.

## Refusals by the middleware
blocked-notice = Вы заблокированы в этом боте. Следующие сообщения какое-то время останутся без ответа.
blocked-notice-reason = Вы заблокированы в этом боте. Причина: { $reason }
    Следующие сообщения какое-то время останутся без ответа.
rate-limited = Вы отправляете слишком много и слишком быстро. Подождите несколько секунд и попробуйте снова.

## Errors (the error boundary)
error-generic = Что-то пошло не так. Код для обращения: { $reference }
error-quota-exceeded = Дневной лимит исчерпан. Он обновится в { $time }.
error-quota-exceeded-no-time = Дневной лимит исчерпан. Попробуйте завтра.
error-member-blocked = Вы заблокированы в этом боте.
error-not-an-admin = Это могут делать только администраторы бота.
error-validation-failed = Что-то не так с отправленными данными. Проверьте и попробуйте снова.
error-owner-only = Это может делать только владелец бота.
error-cannot-block = Этого участника нельзя заблокировать: владельца не блокируют никогда, администратора может заблокировать только владелец, себя заблокировать нельзя.
error-not-a-member = Этот пользователь не участник бота.
error-invalid-setting = Это значение не подходит для этого флага или настройки.

## Admin menu
admin-menu-title = Меню администратора. Что сделать?
admin-button-counts = Статистика
admin-button-find = Найти пользователя
admin-button-flags = Флаги функций
admin-button-setting = Изменить настройку
admin-button-audit = Журнал действий
admin-button-back = « Назад
admin-button-more = Ещё »
admin-counts =
    Участников: { $members }
    Активны сегодня: { $activeToday }
    Заблокировали бота: { $blockedTheBot }
    Заблокированы администратором: { $blockedByAdmin }
    Администраторов: { $admins }
admin-find-prompt = Отправьте @имя пользователя, его id в Telegram или часть имени.
admin-find-none = Никого не найдено по запросу «{ $query }».
admin-find-results = Найдено: { $count }. Выберите:
admin-member-gone = Этот пользователь не участник бота.
admin-member-card =
    { $name } ({ $username }, id { $id })
    Роль: { $role }
    Статус: { $status }
admin-status-active = активен
admin-status-blocked-by-admin = заблокирован администратором ({ $reason })
admin-status-bot-blocked = заблокировал бота
admin-button-block = Заблокировать
admin-button-unblock = Разблокировать
admin-button-propose-admin = Предложить в администраторы
admin-button-approve-admin = Сделать администратором
admin-button-revoke-admin = Снять администратора
admin-block-prompt = За что вы блокируете { $name }? Отправьте причину.
admin-blocked = { $name } заблокирован(а). Причина: { $reason }
admin-unblocked = { $name } разблокирован(а).
admin-admin-proposed = { $name } предложен(а) в администраторы; решает владелец.
admin-admin-approved = { $name } теперь администратор.
admin-admin-revoked = { $name } больше не администратор.
admin-unchanged = Менять нечего: { $name } уже в этом состоянии.
admin-flags-title = Флаги функций (нажмите, чтобы переключить):
admin-flags-none = У бота пока нет флагов. Отправьте имя флага, чтобы создать его включённым.
admin-flag-prompt = Отправьте имя флага (строчные буквы, можно с точками), чтобы включить его.
admin-flag-changed = Флаг { $flag } теперь { $state }.
admin-flag-on = включён
admin-flag-off = выключен
admin-setting-prompt = Отправьте настройку как ключ=значение, значение в JSON, например timezone="Europe/Moscow" или quota.daily.user=20.
admin-setting-invalid = Отправьте ключ=значение со значением в JSON, например quota.daily.user=20.
admin-setting-changed = Настройка { $key } теперь { $value }.
admin-audit-title = Журнал действий, сначала новые:
admin-audit-empty = Журнал пуст.
admin-audit-entry = { $when } { $admin }: { $action } { $target }
admin-audit-expired = Список устарел. Откройте журнал снова.
admin-not-admin = Это меню только для администраторов бота.
admin-waiting-cancelled = Отменено.
admin-button-new-flag = Новый флаг

## Routed features: the owning service did not answer in time, or failed
feature-try-again = Сейчас не получилось. Пожалуйста, попробуйте ещё раз чуть позже.
