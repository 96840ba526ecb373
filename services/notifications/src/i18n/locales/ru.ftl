# Русские тексты экрана /notifications сервиса уведомлений. Ключи те же, что в en.ftl.

command-notifications = выбрать, какие сообщения присылает бот

notifications-title = 🔔 Уведомления этого бота. Нажмите на вид, чтобы включить или выключить его.
notifications-always = Чеки об оплате приходят всегда.
notifications-on = 🔔 { $category }: вкл.
notifications-off = 🔕 { $category }: выкл.
notifications-muted = { $category }: выключено
notifications-unmuted = { $category }: включено

category-welcome = Приветствие
category-achievements = Уровни и значки
category-subscription = Новости подписки
category-payments = Чеки об оплате

# Рассылки (broadcast/)
broadcast-report =
    { $cancelledNote ->
        [yes] 📣 Рассылка отменена.
       *[no] 📣 Рассылка завершена.
    }
    Отправлено: { $sent }
    Ошибки: { $failed }
    Заблокировали бота: { $blocked }
    Пропущено (заблокировали раньше): { $skipped }
    Не отправлено (отмена): { $cancelled }
