# Russian texts of every hosted bot. Keys are shared with en.ftl (a spec checks that both have the same keys).

## Language names, in their own language on purpose (a user looking for their language must recognise it)
language-name-en = English
language-name-ru = Русский
language-telegram-default = Как в Telegram

## Commands as setMyCommands shows them
command-start = Запустить бота
command-help = Что умеет этот бот
command-language = Выбрать язык

## /start and /help
start-greeting = Здравствуйте, { $name }! Я { $bot }. Отправьте /help, чтобы узнать, что я умею.
help-text =
    Вот что я умею:
    /start - начать сначала
    /help - этот список
    /language - выбрать язык


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

## Routed features: the owning service did not answer in time, or failed
feature-try-again = Сейчас не получилось. Пожалуйста, попробуйте ещё раз чуть позже.
